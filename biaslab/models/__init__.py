"""Models of the course: scikit-learn pipelines for the tabular data, small CNNs for the images.

Imported on demand, so ``import biaslab.models`` does not import torch; the image models import
it when first used.
"""

import importlib

_LAZY = {
    # tabular (scikit-learn)
    "make_tabular_model": "._tabular",
    "TABULAR_MODEL_KINDS": "._tabular",
    "TabularModel": "._tabular",
    # images (torch)
    "ImageClassifier": "._torch",
    "chest_xray_cnn": "._torch",
    "fashion_cnn": "._torch",
    "fashion_vgg": "._torch",
    "save_checkpoint": "._checkpoints",
    "load_checkpoint": "._checkpoints",
    "CHECKPOINTS": "._checkpoints",
    "CheckpointIntegrityError": "._checkpoints",
    "ARCHITECTURES": "._torch",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'biaslab.models' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
