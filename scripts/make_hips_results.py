"""Make the shipped results of module 04 (Hidden in plain sight, on SYNTHETIC chest X-rays).

1. ``hips_rate_sweep.csv``: :func:`biaslab.experiments.hidden_in_plain_sight.rate_sweep` for
   the targets of ``SHIPPED_TARGETS`` (F, M, age 0-20, the intersection F & 60-80) at the
   paper's rates (0, .05, .1, .25, .5, .75, 1), 5 trials each, on the internal test set (site A)
   and the external site B, with ``SHIPPED_PARAMS`` (``random_state=0``), every trial kept
   (several minutes on 2 CPU cores). The notebook loads it with ``load_rate_sweep()``.
2. ``hips_audit_features.npz``: the frozen CNN features of the audit patients
   (``make_audit_features``), from which ``suspect_model_outputs`` trains poisoned models in
   milliseconds (exercise q3 of module 04).

Both go to ``biaslab/experiments/results/``; ``tests/experiments/test_hips_results.py``
recomputes a part of each, so they cannot silently go stale.

    python scripts/make_hips_results.py [--threads 2] [--only sweep|audit]
"""

import argparse
import time

import numpy as np

from biaslab.experiments import hidden_in_plain_sight as hips


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=["sweep", "audit"], default=None)
    args = parser.parse_args()
    if args.only in (None, "sweep"):
        start = time.perf_counter()
        sweep = hips.rate_sweep(list(hips.SHIPPED_TARGETS), **hips.SHIPPED_PARAMS, keep_trials=True,
                                n_threads=args.threads, progress=True)
        path = hips.RESULTS_DIR / hips.SHIPPED_SWEEP_FILE
        hips.write_rate_sweep(sweep, path)
        print(f"{len(sweep)} rows written to {path} in {time.perf_counter() - start:.0f} s")
    if args.only in (None, "audit"):
        start = time.perf_counter()
        path = hips.RESULTS_DIR / hips.AUDIT_FEATURES_FILE
        np.savez_compressed(path, **hips.make_audit_features(n_threads=args.threads))
        print(f"audit features written to {path} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
