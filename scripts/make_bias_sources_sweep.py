"""Make the shipped bias-knob sweep of module 03 (where bias comes from), on the real Adult data.

Runs :func:`biaslab.attacks.bias_source_sweep` for the four kinds of bias at the strengths
0, 0.1, ..., 1 with ``random_state=0`` (42 logistic regressions, two to three minutes on 2 CPU
cores) and writes ``biaslab/experiments/results/bias_sources_sweep.csv``, which the notebook
and the widget load with ``load_bias_source_sweep()``. ``tests/attacks/test_sources_sweep.py``
recomputes a part of it so that it cannot silently go stale.

    python scripts/make_bias_sources_sweep.py
"""

import time

from biaslab.attacks import _sweep


def main():
    start = time.perf_counter()
    sweep = _sweep.bias_source_sweep(_sweep.BIAS_KINDS, _sweep.SWEEP_STRENGTHS, random_state=_sweep._SHIPPED_SEED)
    path = _sweep._RESULTS_DIR / _sweep._SHIPPED_FILE
    sweep.to_csv(path, index=False, float_format="%.6g")
    print(f"{len(sweep)} rows written to {path} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
