"""Make the shipped result of module 05: what robust training costs and buys on heart disease.

Runs :func:`biaslab.robustness.compare_robust_training` with ``HEART_SETUP`` (gradient
boosting; standard, sex-swapped copies, jittered copies, both; 5 random splits; about a minute
on 2 CPU cores) and writes ``biaslab/experiments/results/robustness_heart_training.csv``, which
the notebook loads with ``load_robust_training_results()``.
``tests/robustness/test_robust_training.py`` recomputes one split, so it cannot go stale.

    python scripts/make_robustness_results.py
"""

import time

from biaslab.robustness import HEART_SETUP, ROBUST_TRAINING_FILE, compare_robust_training
from biaslab.robustness._comparison import _RESULTS_DIR
from biaslab.datasets import load_heart_disease


def main():
    start = time.perf_counter()
    heart = load_heart_disease()
    table = compare_robust_training(heart.data, heart.target, progress=True, **HEART_SETUP)
    path = _RESULTS_DIR / ROBUST_TRAINING_FILE
    table.to_csv(path, index=False)
    print(table.groupby("variant", sort=False).mean(numeric_only=True).drop(columns="split").round(3).to_string())
    print(f"wrote {path} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
