"""How fast each teaching widget answers in the kernel: a move of a control -> new readout and picture.

Builds every teaching widget of modules 02-08 with the inputs its notebook gives it, then moves its
controls through their values (each value several times, in a shuffled order) and prints the
distribution of the time from the move to the new picture being ready to send (numbers, drawing,
PNG). The browser test (``tests/browser``) measures the same moves end to end in JupyterLab and
writes ``build/screenshots/widget-latency.json``; this script is the part a presenter's kernel
controls. The course's target: 0.2 s from input to new picture.

    python benchmarks/bench_widgets.py [--repeats 3] [--only 02 03]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")


def _render_time(box):
    """Kernel time to make the picture: the widget's own record, or (older widgets) a PNG as display() made it."""
    if getattr(box, "timings", None):
        return box.timings[-1]
    import io

    fig = box.figure
    start = time.perf_counter()
    fig.canvas.print_figure(io.BytesIO(), format="png", bbox_inches="tight")
    return time.perf_counter() - start


def build(module):
    import numpy as np
    import pandas as pd

    if module == "02":
        from biaslab.datasets import load_compas
        from biaslab.widgets import threshold_explorer

        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compas = load_compas()
        race = compas.sensitive_features["race"].astype(str)
        keep = race.isin(["African-American", "Caucasian"]).to_numpy()
        box = threshold_explorer(compas.target.to_numpy()[keep], compas.score.to_numpy()[keep],
                                 sensitive_features=pd.Series(race.to_numpy()[keep], name="race"),
                                 score_name="decile score",
                                 metrics=["false_positive_rate", "false_negative_rate", "precision"])
        return box, [lambda v=v: box.update(v) for v in box.slider.options]
    if module == "03":
        from biaslab.attacks import load_bias_source_sweep
        from biaslab.widgets import bias_knob

        sweep = load_bias_source_sweep()
        box = bias_knob(sweep)
        moves = [lambda s=s: box.update(strength=s) for s in sorted(sweep["strength"].unique())]
        moves += [lambda k=k: box.update(kind=k) for k in sweep["kind"].unique()]
        return box, moves
    if module == "04":
        from biaslab.experiments.hidden_in_plain_sight import load_rate_sweep
        from biaslab.widgets import poisoning_explorer

        box = poisoning_explorer(load_rate_sweep(), target="0-20", rate=0.5)
        moves = [lambda r=r: box.update(rate=r) for _, r in box.rate.options]
        moves += [lambda t=t: box.update(target=t) for t in box.target.options]
        moves += [lambda s=s: box.update(site=s) for s in box.site.options]
        return box, moves
    if module == "05":
        from sklearn.model_selection import train_test_split

        from biaslab.datasets import load_heart_disease
        from biaslab.models import make_tabular_model
        from biaslab.widgets import flip_explorer

        heart = load_heart_disease()
        X_train, X_test, y_train, _ = train_test_split(heart.data, heart.target, test_size=0.3, random_state=0,
                                                       stratify=heart.target)
        model = make_tabular_model("gradient_boosting", random_state=0).fit(X_train, y_train)
        sizes = {"age": [0.5, 1, 2, 3, 5], "resting_blood_pressure": [2, 5, 10, 15, 20],
                 "cholesterol": [5, 10, 20, 30, 50]}
        box = flip_explorer(model, X_test, deltas=sizes, column="cholesterol", delta=10)
        moves = [lambda c=c, d=d: box.update(column=c, delta=d) for c in sizes for d in sizes[c]]
        return box, moves
    if module == "06":
        from biaslab.datasets import add_artifact
        from biaslab.experiments.from_hope_to_safety import CHECKPOINT, CLASS_NAMES, attacked_fashion_mnist
        from biaslab.models import load_checkpoint
        from biaslab.widgets import saliency_explorer

        data = attacked_fashion_mnist()
        X, y = data.X_test[:8], data.y_test[:8]
        stamped = add_artifact(X, y, target_class=int(y[0]), share=1.0, random_state=0)
        box = saliency_explorer(load_checkpoint(CHECKPOINT), X, stamped.images, labels=y, class_names=CLASS_NAMES,
                                masks=stamped.masks)
        moves = [lambda i=i: box.update(image=i) for i in range(len(X))]
        moves += [lambda a=a: box.update(artifact=a) for a in (True, False)]
        moves += [lambda m=m: box.update(method=m) for m in ("gradient", "gradient_x_input")]
        return box, moves
    if module == "07":
        from biaslab.experiments.from_hope_to_safety import load_clarc_results, summarise_clarc
        from biaslab.widgets import lambda_tradeoff_explorer

        box = lambda_tradeoff_explorer(summarise_clarc(load_clarc_results()), lam=100)
        return box, [lambda v=v: box.update(v) for _, v in box.slider.options]
    if module == "08":
        from biaslab.mitigations import fit_baseline, mitigation_data
        from biaslab.widgets import group_threshold_explorer

        data = mitigation_data("adult")
        scores = fit_baseline("adult").predict_proba(data.X_validation)[:, 1]
        box = group_threshold_explorer(data.y_validation, scores, sensitive_features=data.s_validation)
        values = list(np.round(np.arange(0.3, 0.71, 0.04), 2))
        moves = [lambda v=v: box.update({"Female": float(v)}) for v in values]
        return box, moves
    raise ValueError(module)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="+", default=["02", "03", "04", "05", "06", "07", "08"])
    args = parser.parse_args(argv)
    rng = random.Random(0)
    print(f"{'module':<7} {'moves':>5} {'median s':>9} {'p90 s':>7} {'max s':>7} {'share <= 0.2 s':>15}")
    for module in args.only:
        try:
            box, moves = build(module)
        except Exception as exc:  # a missing optional input: say so, go on
            print(f"{module:<7} not measured: {type(exc).__name__}: {exc}")
            continue
        times = []
        for _ in range(args.repeats):
            order = moves[:]
            rng.shuffle(order)
            for move in order:
                start = time.perf_counter()
                try:
                    move()
                except ValueError:  # a value the widget does not offer in this setting
                    continue
                update = time.perf_counter() - start
                times.append(update if getattr(box, "timings", None) else update + _render_time(box))
        times.sort()
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{module:<7} {len(times):>5} {statistics.median(times):>9.3f} {p90:>7.3f} {times[-1]:>7.3f} "
              f"{sum(t <= 0.2 for t in times) / len(times):>15.0%}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
