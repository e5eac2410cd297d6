"""Explanations of image models: layer activations, concept activation vectors (CAVs), TCAV,
saliency heatmaps and artifact relevance. Works on any ``torch.nn.Module`` (or a fitted
``biaslab.models.ImageClassifier``) and a layer name; torch is imported when first used.
"""

from ._concepts import (
    CAV_METHODS,
    as_image_tensor,
    cav_alignment,
    cav_alignment_sweep,
    compute_cav,
    layer_activations,
    layer_gradients,
    sensitivity_by_position,
    shift_alignment,
    signal_cav,
    tcav_score,
    tcav_sensitivity,
    tcav_significance,
    tcav_t_test,
)
from ._saliency import SALIENCY_METHODS, artifact_relevance, saliency_map

__all__ = [
    "CAV_METHODS",
    "SALIENCY_METHODS",
    "artifact_relevance",
    "as_image_tensor",
    "cav_alignment",
    "cav_alignment_sweep",
    "compute_cav",
    "layer_activations",
    "layer_gradients",
    "saliency_map",
    "sensitivity_by_position",
    "shift_alignment",
    "signal_cav",
    "tcav_score",
    "tcav_sensitivity",
    "tcav_significance",
    "tcav_t_test",
]
