"""Make the shipped results of module 07 (From hope to safety: unlearning a shortcut with RR-ClArC).

For each artifact kind of ``ARTIFACTS`` (a corner stamp in half of the Shirt training images, and
the paper's Bone Age brightening in 20% of them), on its shipped attacked model
(``fashion_vgg_<kind>_shirt``, made by ``scripts/train_checkpoints.py``):

1. ``clarc_budget_check.csv``: the fine-tuning budget check (``budget_check``): Vanilla and
   RR-ClArC with each budget of ``CLARC_BUDGETS``, scored on 5,000 held-out training images,
   clean and with the artifact (never the test set). The script stops if the budget its rule
   picks is not ``CLARC_FINE_TUNE`` (then change the constant and run it again).
2. ``clarc_comparison_<kind>.csv``: ``clarc_comparison`` with that budget: the original model,
   Vanilla fine-tuning, P-ClArC, A-ClArC and RR-ClArC for every lambda of ``CLARC_LAMBDAS``,
   each fine-tuning seed of ``CLARC_SEEDS``; columns clean-test accuracy, attacked-test accuracy
   (the artifact in every test image), TCAV sensitivity and TCAV score along the signal CAV.
3. ``clarc_diagnostics_stamp.csv``: ``clarc_diagnostics`` of the stamp at RR-ClArC's best lambda
   within a point of Vanilla's clean accuracy: where the Shirt logit still reacts along the CAV,
   position by position, and TCAV scores of stamp CAVs against random CAVs.

About 15 minutes on one CPU thread. The files go to ``biaslab/experiments/results/``; the notebook
loads them with ``load_clarc_results(artifact=...)``, and ``tests/experiments/test_clarc_results.py``
recomputes one row so they cannot silently go stale.

    python scripts/make_clarc_results.py [--threads 1] [--only stamp] [--diagnostics-only]
"""

import argparse
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (at most 2 on a shared machine)")
    parser.add_argument("--only", action="append", help="only these artifact kinds (skips the budget check)")
    parser.add_argument("--diagnostics-only", action="store_true", help="only remake the stamp's diagnostics")
    args = parser.parse_args()

    import torch

    from biaslab.experiments import from_hope_to_safety as hope

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    if args.diagnostics_only:
        summary = hope.summarise_clarc(hope.load_clarc_results())
        diagnostics = hope.clarc_diagnostics(hope.clarc_setting(), lam=hope.best_rr_lambda(summary))
        path = hope.write_clarc_diagnostics(diagnostics, hope.RESULTS_DIR / hope.CLARC_DIAGNOSTICS_FILE)
        print(f"{path}: TCAV p-values {diagnostics.attrs['p_value']} ({time.perf_counter() - start:.0f} s)")
        return
    artifacts = args.only or list(hope.ARTIFACTS)
    settings = {artifact: hope.clarc_setting(artifact=artifact) for artifact in artifacts}
    if not args.only:
        check = hope.budget_check(artifacts, settings=settings, progress=True)
        path = hope.RESULTS_DIR / "clarc_budget_check.csv"
        path.write_text("# made by scripts/make_clarc_results.py: budget_check() on held-out validation images\n"
                        + check.to_csv(index=False, float_format="%.10g", lineterminator="\n"), encoding="utf-8")
        picked = hope.CLARC_BUDGETS[hope.chosen_budget(check)]
        print(check[check.method == "vanilla"].to_string(index=False))
        if picked != hope.CLARC_FINE_TUNE:
            raise SystemExit(f"the budget check picks {picked}, but CLARC_FINE_TUNE is {hope.CLARC_FINE_TUNE}: "
                             "set CLARC_FINE_TUNE = dict(CLARC_BUDGETS[...]) and run again")
    for artifact in artifacts:
        results = hope.clarc_comparison(setting=settings[artifact], progress=True)
        path = hope.write_clarc_results(results, hope.RESULTS_DIR / hope.CLARC_RESULTS_FILES[artifact],
                                        artifact=artifact)
        print(f"{artifact}: {len(results)} rows written to {path} ({time.perf_counter() - start:.0f} s so far)")
        summary = hope.summarise_clarc(results)
        print(summary.round(4).to_string(index=False))
        print(hope.clarc_shape_table(summary).to_string(index=False))
        if artifact == "stamp":
            diagnostics = hope.clarc_diagnostics(settings[artifact], lam=hope.best_rr_lambda(summary))
            hope.write_clarc_diagnostics(diagnostics, hope.RESULTS_DIR / hope.CLARC_DIAGNOSTICS_FILE)
            print(f"diagnostics at lambda={diagnostics.attrs['lam']:g}: TCAV p-values {diagnostics.attrs['p_value']}")


if __name__ == "__main__":
    main()
