"""Make module 06's shipped CAV alignment sweep: biaslab/experiments/results/cav_alignment_sweep.csv.

    python scripts/make_cav_alignment_sweep.py

On the shipped attacked model (``fashion_vgg_stamp_shirt``), fits a CAV of every method
(signal, SVM, ridge, lasso, logistic) on ``n`` stamped and ``n`` clean training shirts, for several
``n`` and seeds, and scores each by its alignment with the true artifact direction (the latent
shift of the clean training shirts when the stamp is added). About a minute on 2 shared cores;
the notebook loads the result and can recompute it live (``RECOMPUTE = True``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

#: The sweep's grid (the notebook's live recomputation uses the same).
SIZES = (5, 10, 25, 50, 100, 250, 600)
SEEDS = (0, 1, 2, 3, 4)
OUT = Path(__file__).resolve().parents[1] / "biaslab" / "experiments" / "results" / "cav_alignment_sweep.csv"


def main() -> None:
    import torch

    from biaslab.datasets import add_artifact
    from biaslab.experiments.from_hope_to_safety import CHECKPOINT, attacked_fashion_mnist
    from biaslab.explain import cav_alignment_sweep, layer_activations
    from biaslab.models import load_checkpoint

    torch.set_num_threads(1)
    start = time.perf_counter()
    data = attacked_fashion_mnist()
    model = load_checkpoint(CHECKPOINT)
    layer = model.module_.last_conv_layer
    shirts = data.X[data.y == data.target_class]
    has_stamp = data.changed[data.y == data.target_class]
    acts = layer_activations(model, shirts, layer=layer)
    stamped = add_artifact(shirts[~has_stamp], None, target_class=None, share=1.0, kind=data.kind,
                           random_state=2).images
    table = cav_alignment_sweep(acts, has_stamp, acts[~has_stamp], layer_activations(model, stamped, layer=layer),
                                sizes=SIZES, seeds=SEEDS)
    table["alignment"] = table["alignment"].round(6)
    table.to_csv(OUT, index=False)
    summary = table.groupby(["method", "n_per_class"])["alignment"].mean().unstack(0).round(3)
    print(summary.to_string())
    print(f"{len(table)} CAVs ({(~table['converged']).sum()} did not converge) -> {OUT} "
          f"in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
