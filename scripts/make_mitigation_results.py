"""Make the shipped result of module 08: tabular mitigations compared on one accuracy-fairness plane.

Runs every method of :data:`biaslab.mitigations._comparison.MITIGATION_METHODS` on Adult (sex)
and COMPAS (race, African-American vs Caucasian): no mitigation, reweighing, massaging, uniform
and preferential sampling, group thresholds (a sweep of strengths) and exponentiated gradient,
each a logistic regression scored on the test rows. Writes
``biaslab/experiments/results/tabular_mitigation_comparison.csv``, which the notebook loads with
``load_mitigation_results()``. It takes about a minute on 2 CPU cores, almost all of it in
exponentiated gradient. ``tests/mitigations/test_mitigation_results.py`` recomputes the fast
methods and compares them with the file, so it cannot go stale.

    python scripts/make_mitigation_results.py
"""

import time

import pandas as pd

from biaslab.mitigations._comparison import (
    _COLUMNS,
    _RESULTS_DIR,
    MITIGATION_DATASETS,
    MITIGATION_METHODS,
    MITIGATION_RESULTS_FILE,
    run_mitigation,
)


def main():
    start = time.perf_counter()
    parts = []
    for dataset in MITIGATION_DATASETS:
        for method in MITIGATION_METHODS:
            t = time.perf_counter()
            parts.append(run_mitigation(method, dataset))
            print(f"{dataset:7s} {method:45s} {time.perf_counter() - t:6.1f} s", flush=True)
    table = pd.concat(parts, ignore_index=True)[_COLUMNS]
    path = _RESULTS_DIR / MITIGATION_RESULTS_FILE
    # seconds are rounded: they vary run to run and the shared machine makes them noisy anyway
    table.round({"seconds": 1}).to_csv(path, index=False, float_format="%.6f")
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(table.drop(columns=["family", "seconds"]).round(4).to_string())
    print(f"wrote {path} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
