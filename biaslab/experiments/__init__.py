"""Reproductions of the published experiments the course is built on.

Each submodule runs one study end to end on the course's data and returns tidy results beside
the paper's numbers:

- :mod:`biaslab.experiments.hidden_in_plain_sight`: targeted label poisoning of a chest X-ray
  classifier (Kulkarni et al. 2024), on SYNTHETIC chest X-rays (module 04).
- :mod:`biaslab.experiments.from_hope_to_safety`: a planted artifact in Fashion-MNIST and its
  correction by the ClArC family (Dreyer, Pahde et al. 2024; modules 06-07).

Imported on demand, so ``import biaslab.experiments`` does not import torch.
"""

import importlib

_SUBMODULES = ("hidden_in_plain_sight", "from_hope_to_safety")

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'biaslab.experiments' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
