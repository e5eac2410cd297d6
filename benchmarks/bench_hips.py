"""Benchmark of the Hidden-in-Plain-Sight reproduction (module 04) on SYNTHETIC chest X-rays.

Prints
1. the time of one target's full sweep (7 rates x 5 trials, internal + external site) with the
   shipped frozen feature extractor, from a cold start (patients generated, features
   extracted) and warm (features cached);
2. linear-probe accuracies of the frozen features for sex and age (the attack can only single
   out what the features can tell apart);
3. the FNR of each target group by rate, and the overall AUROC by rate, for the targets F
   (the minority sex in the cohort), M, age 0-20 and the intersection F & 60-80;
4. a side-by-side table: the paper's anchor numbers (DenseNet121, RSNA Pneumonia / CheXpert)
   beside ours (small CNN, SYNTHETIC data);
5. the "shape" checks of COURSE.md, each PASS or FAIL.

    python benchmarks/bench_hips.py [--trials 5] [--seed 0] [--full-cnn]

About a minute on 2 CPU cores (``--full-cnn`` adds a few minutes: the whole CNN trained per
rate, at rates 0, 0.5 and 1, one trial, as the paper does).
"""

import argparse
import time

import pandas as pd

from biaslab.experiments import hidden_in_plain_sight as hips

pd.set_option("display.width", 160)
pd.set_option("display.max_rows", 200)

TARGETS = ["F", "M", "0-20", {"sex": "F", "age_band": "60-80"}]


def fnr_table(sweep, site):
    rows = sweep[(sweep.site == site) & (sweep.group == sweep.target)]
    table = rows.pivot_table(index="rate", columns="target", values="fnr", sort=False)
    overall = sweep[(sweep.site == site) & (sweep.group == "overall")].pivot_table(
        index="rate", columns="target", values="auroc", sort=False
    )
    return table.add_prefix("FNR ").join(overall.add_prefix("AUROC "))


def shape_checks(sweep):
    def get(target, rate, group, col="fnr", site="internal"):
        sel = sweep[(sweep.target == target) & (sweep.rate == rate) & (sweep.group == group) & (sweep.site == site)]
        return float(sel[col].iloc[0])

    checks = []
    for target in ("0-20", "F"):
        rise = get(target, 1.0, target) - get(target, 0.0, target)
        checks.append((f"target {target}: its FNR rises by >= 0.2 from r=0 to r=1", rise >= 0.2, f"{rise:+.3f}"))
        d_auc = max(abs(get(target, r, "overall", "auroc") - get(target, 0.0, "overall", "auroc"))
                    for r in hips.DEFAULT_RATES if r <= 0.5)
        checks.append((f"target {target}: overall AUROC moves <= 0.03 up to r=0.5", d_auc <= 0.03, f"{d_auc:.3f}"))
        ext = get(target, 1.0, target, site="external") - get(target, 0.0, target, site="external")
        checks.append((f"target {target}: external-site FNR rises too", ext >= 0.1, f"{ext:+.3f}"))
    for rate in (0.5, 0.75):
        d_f = get("F", 0.0, "overall", "auroc") - get("F", rate, "overall", "auroc")
        d_m = get("M", 0.0, "overall", "auroc") - get("M", rate, "overall", "auroc")
        checks.append((f"targeting the majority (M) is less stealthy than F at r={rate:g} (AUROC drop)",
                       d_m > d_f, f"M {d_m:.3f} vs F {d_f:.3f}"))
    other = abs(get("F", 1.0, "M") - get("F", 0.0, "M"))
    checks.append(("target F: M's FNR stays within 0.1", other <= 0.1, f"{other:.3f}"))
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--full-cnn", action="store_true", help="also train the whole CNN per rate (slow)")
    args = parser.parse_args()
    kw = dict(n_trials=args.trials, random_state=args.seed, n_threads=args.threads)

    hips._checkpoint_cohort.cache_clear()
    start = time.perf_counter()
    first = hips.rate_sweep("F", **kw)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    hips.rate_sweep("F", **kw)
    warm = time.perf_counter() - start
    print(f"one target's sweep ({len(hips.DEFAULT_RATES)} rates x {args.trials} trials, internal + external): "
          f"{cold:.1f} s cold (patients generated, features extracted), {warm:.1f} s warm (features cached)")

    print("\nlinear probes of the frozen features (balanced accuracy on the internal test set):")
    print(hips.probe_features(random_state=args.seed, n_threads=args.threads).round(3).to_string(index=False))

    sweep = pd.concat([first, hips.rate_sweep(TARGETS[1:], **kw)], ignore_index=True)
    print(f"\nSYNTHETIC chest X-rays; {sweep.attrs.get('model', first.attrs['model'])}; "
          f"mean of {args.trials} trials; {first.attrs['data']}")
    for site in ("internal", "external"):
        print(f"\n{site} test set: FNR of the target group and overall AUROC, by rate")
        print(fnr_table(sweep, site).round(3).to_string())
    clean = sweep[(sweep.rate == 0.0) & (sweep.target == "F") & (sweep.site == "internal")]
    print("\nclean model (rate 0), internal: " + ", ".join(
        f"{g} FNR {v:.3f}" for g, v in clean.set_index("group")["fnr"].items()))

    print("\nside by side: Kulkarni et al. 2024 (DenseNet121, RSNA Pneumonia; external CheXpert) vs "
          "ours (small CNN, SYNTHETIC chest X-rays; external = synthetic site B)")
    table = hips.compare_with_paper(sweep).rename(columns={"ours": "ours (SYNTHETIC)"})
    print(table.round(3).to_string(index=False))

    print("\nshape of the paper's result:")
    for text, ok, value in shape_checks(sweep):
        print(f"  [{'PASS' if ok else 'FAIL'}] {text}: {value}")

    if args.full_cnn:
        start = time.perf_counter()
        full = hips.rate_sweep("F", rates=(0.0, 0.5, 1.0), n_trials=1, random_state=args.seed,
                               feature_extractor=None, n_threads=args.threads, progress=True)
        print(f"\nwhole CNN trained per rate (target F, 1 trial): {time.perf_counter() - start:.0f} s")
        print(fnr_table(full, "internal").round(3).to_string())
        sexes = full[(full.site == "internal") & full.group.isin(["overall", "F", "M"])]
        print(sexes.pivot_table(index="rate", columns="group", values=["fnr", "auroc"]).round(3).to_string())


if __name__ == "__main__":
    main()
