"""Benchmark of the synthetic chest X-rays: speed, learnability, visible demographics.

Prints
1. the time to generate 10,000 images of 64x64;
2. the AUROC of the course's small CNN trained for disease on site A (internal test: site A,
   external test: site B), which should be about 0.8-0.9 internally and lower but well above 0.5
   externally, like real pneumonia detectors;
3. the accuracy of linear probes (logistic regression) for sex and age band, on the CNN's
   penultimate features and on 16x16 downsampled pixels: the poisoning attack of module 04
   can only target a group that the model can tell from the image.

Not a test (it trains a network): run it by hand after changing the generator,

    python benchmarks/bench_chest_xrays.py [--epochs 6] [--n-train 8000] [--seed 0]
    python benchmarks/bench_chest_xrays.py --figures /tmp   # only draw the sample grids

It takes about one to two minutes on 2 CPU cores (``--checkpoint`` evaluates the shipped
``chest_xray_cnn_clean`` instead of training). The network is ``biaslab.models.chest_xray_cnn``
trained by ``biaslab.models.ImageClassifier``: the course has one CNN definition.
``--figures DIR`` writes ``chest_grid.png`` (rows: sex x age band; columns: site x disease) and ``artifact_grid.png``
(the kinds of ``add_artifact`` on Fashion-MNIST and on the chest X-rays) to look at; do not
commit them.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from biaslab.datasets import add_artifact, load_fashion_mnist, make_chest_xrays
from biaslab.datasets._artifacts import ARTIFACT_KINDS
from biaslab.datasets._chest_xrays import AGE_BANDS
from biaslab.models import ImageClassifier, chest_xray_cnn, load_checkpoint


def probe(train_x, train_y, test_x, test_y) -> str:
    """Accuracy and balanced accuracy of a logistic-regression probe."""
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    clf.fit(train_x, train_y)
    pred = clf.predict(test_x)
    return f"{accuracy_score(test_y, pred):.3f} (balanced {balanced_accuracy_score(test_y, pred):.3f})"


def downsample(images, factor=4):
    n, h, w = images.shape
    return images.reshape(n, h // factor, factor, w // factor, factor).mean(axis=(2, 4)).reshape(n, -1)


def save_figures(folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xr = make_chest_xrays(6000, sites={"A": 1, "B": 1, "C": 1}, random_state=1)
    f = xr.frame
    rows = [(s, b) for s in "FM" for b in AGE_BANDS]
    cols = [(site, d) for site in "ABC" for d in (0, 1)]
    fig, axes = plt.subplots(len(rows), 2 * len(cols), figsize=(2 * len(cols) * 1.3, len(rows) * 1.45))
    for r, (sex, band) in enumerate(rows):
        for c, (site, d) in enumerate(cols):
            idx = np.flatnonzero((f.sex == sex) & (f.age_band == band) & (f.site == site) & (f.disease == d))[:2]
            for k in range(2):
                ax = axes[r, 2 * c + k]
                ax.set_xticks([])
                ax.set_yticks([])
                if k < len(idx):
                    i = idx[k]
                    ax.imshow(xr.images[i], cmap="gray", vmin=0, vmax=1)
                    if d:
                        ax.contour(xr.lesion_mask[i], levels=[0.5], colors="r", linewidths=0.4)
                    ax.set_title(f"{sex} {f.age[i]}y site {site} {'opacity' if d else 'healthy'}", fontsize=5.5)
    fig.suptitle("SYNTHETIC chest X-rays: rows sex x age band, columns site x disease (red: lesion_mask)", fontsize=9)
    fig.tight_layout()
    fig.savefig(folder / "chest_grid.png", dpi=110)
    plt.close(fig)

    fm = load_fashion_mnist()
    sets = [("Fashion-MNIST", fm.images[:8], fm.target[:8], 255), ("SYNTHETIC chest X-ray", xr.images[:8], xr.target[:8], 1)]
    fig, axes = plt.subplots(8, 8, figsize=(12, 12.5))
    for r, (name, images, labels, vmax) in enumerate(sets):
        variants = [("original", images, None)]
        for kind in ARTIFACT_KINDS:
            res = add_artifact(images, labels, target_class=None, share=1.0, kind=kind, random_state=0)
            variants.append((kind, res.images, None if kind == "brighten" else res.masks))
        for k, (title, imgs, masks) in enumerate(variants):
            axes[4 * r + k, 0].set_ylabel(f"{name}\n{title}", fontsize=8)
            for c in range(8):
                axes[4 * r + k, c].imshow(imgs[c], cmap="gray", vmin=0, vmax=vmax)
                if masks is not None:
                    axes[4 * r + k, c].contour(masks[c], levels=[0.5], colors="r", linewidths=0.5)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("add_artifact kinds (share=1.0, target_class=None); red: masks", fontsize=10)
    fig.tight_layout()
    fig.savefig(folder / "artifact_grid.png", dpi=80)
    plt.close(fig)
    print(f"wrote {folder / 'chest_grid.png'} and {folder / 'artifact_grid.png'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--n-train", type=int, default=8000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=int, default=16, help="channels of the first conv layer")
    parser.add_argument("--checkpoint", action="store_true",
                        help="evaluate the shipped chest_xray_cnn_clean instead of training a network")
    parser.add_argument("--figures", type=Path, help="only write the sample grids (PNG) to this folder")
    args = parser.parse_args()
    if args.figures:
        save_figures(args.figures)
        return

    make_chest_xrays(100, random_state=0)  # warm up (reads and verifies the cohort table)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        make_chest_xrays(10_000, random_state=args.seed)
        times.append(time.perf_counter() - start)
    print(f"generation of 10,000 images of 64x64: best {min(times):.2f} s, median {np.median(times):.2f} s")

    data = make_chest_xrays(args.n_train + args.n_test, sites="A", random_state=args.seed)
    ext = make_chest_xrays(args.n_test, sites="B", random_state=args.seed + 1)
    ext_c = make_chest_xrays(args.n_test, sites="C", random_state=args.seed + 2)
    tr, te = slice(0, args.n_train), slice(args.n_train, None)
    y = data.target
    print(f"prevalence {y.mean():.3f}, share female {(data.frame.sex == 'F').mean():.3f}")

    if args.checkpoint:
        model = load_checkpoint("chest_xray_cnn_clean", n_threads=2)
        print(f"shipped checkpoint chest_xray_cnn_clean ({model.n_parameters():,} parameters): "
              f"{model.checkpoint_['metadata']['data']}")
    else:
        # the course's network and trainer (biaslab.models): one CNN definition for the whole course
        model = ImageClassifier(
            lambda n_classes: chest_xray_cnn(n_classes, width=args.width), epochs=args.epochs, batch_size=128,
            lr=3e-3, augment_shift=2, random_state=args.seed, n_threads=2, progress=True,
        )
        start = time.perf_counter()
        model.fit(data.images[tr], y[tr])
        print(model.history_.round(4).to_string(index=False))
        print(f"CNN training ({model.n_parameters():,} parameters): {time.perf_counter() - start:.1f} s")

    logit_tr, feat_tr = model.decision_function(data.images[tr]), model.features(data.images[tr])
    logit_te, feat_te = model.decision_function(data.images[te]), model.features(data.images[te])
    logit_ext = model.decision_function(ext.images)
    logit_c = model.decision_function(ext_c.images)
    print(f"disease AUROC: train {roc_auc_score(y[tr], logit_tr):.3f}, internal (site A) "
          f"{roc_auc_score(y[te], logit_te):.3f}, external site B {roc_auc_score(ext.target, logit_ext):.3f}, "
          f"site C {roc_auc_score(ext_c.target, logit_c):.3f}")
    frame_te = data.frame.iloc[te]
    for col in ("sex", "age_band"):
        aucs = {
            str(g): roc_auc_score(y[te][mask], logit_te[mask])
            for g in frame_te[col].cat.categories
            if (mask := (frame_te[col] == g).to_numpy()).sum() > 20 and 0 < y[te][mask].mean() < 1
        }
        print(f"  internal AUROC by {col}: " + ", ".join(f"{g} {a:.3f}" for g, a in aucs.items()))

    sex, band = data.frame["sex"].to_numpy(), data.frame["age_band"].astype(str).to_numpy()
    n_probe = min(4000, args.n_train)
    pixels = downsample(data.images)
    majority = max(np.mean(band[te] == b) for b in np.unique(band))
    print(f"linear probes (train on {n_probe} training images, test on the {args.n_test} internal test images):")
    print(f"  sex      : CNN features {probe(feat_tr[:n_probe], sex[:n_probe], feat_te, sex[te])}, "
          f"16x16 pixels {probe(pixels[:n_probe], sex[:n_probe], pixels[te], sex[te])} "
          f"(majority {max(np.mean(sex[te] == 'F'), np.mean(sex[te] == 'M')):.3f})")
    print(f"  age band : CNN features {probe(feat_tr[:n_probe], band[:n_probe], feat_te, band[te])}, "
          f"16x16 pixels {probe(pixels[:n_probe], band[:n_probe], pixels[te], band[te])} "
          f"(majority {majority:.3f}, 5 bands)")
    young = band == "0-20"
    print(f"  age 0-20 vs rest: CNN features "
          f"{probe(feat_tr[:n_probe], young[:n_probe], feat_te, young[te])}, 16x16 pixels "
          f"{probe(pixels[:n_probe], young[:n_probe], pixels[te], young[te])} (majority {1 - young[te].mean():.3f})")


if __name__ == "__main__":
    main()
