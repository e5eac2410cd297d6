"""Make the shipped results of module 07 (From hope to safety: unlearning a shortcut with RR-ClArC).

``clarc_comparison.csv``: :func:`biaslab.experiments.from_hope_to_safety.clarc_comparison` on the
shipped attacked model (checkpoint ``fashion_cnn_stamp_shirt``: Fashion-MNIST with a corner stamp
in half of the Shirt training images): the original model, Vanilla fine-tuning, P-ClArC,
A-ClArC and RR-ClArC for every lambda of ``CLARC_LAMBDAS``, each fine-tuning seed of
``CLARC_SEEDS``; columns clean-test accuracy, attacked-test accuracy (the stamp in every test
image), TCAV sensitivity and TCAV score along the signal CAV. About 10 minutes on 2 CPU cores.

It goes to ``biaslab/experiments/results/``; the notebook loads it with ``load_clarc_results()``,
and ``tests/experiments/test_clarc_results.py`` recomputes one row so it cannot silently go stale.

    python scripts/make_clarc_results.py [--threads 2]
"""

import argparse
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (at most 2 on a shared machine)")
    args = parser.parse_args()

    import torch

    from biaslab.experiments import from_hope_to_safety as hope

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    results = hope.clarc_comparison(progress=True)
    path = hope.write_clarc_results(results, hope.RESULTS_DIR / hope.CLARC_RESULTS_FILE)
    print(f"{len(results)} rows written to {path} in {time.perf_counter() - start:.0f} s")
    print(hope.summarise_clarc(results).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
