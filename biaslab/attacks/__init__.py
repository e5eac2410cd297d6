"""How bias gets into data: planted on purpose, or by accident.

- ``poison_labels``: the targeted label-poisoning attack of "Hidden in plain sight";
  ``youden_threshold`` sets a model's operating point as that study does.
- Accidental bias with a strength knob, each returning what it changed (``BiasedData``):
  ``representation_bias``, ``historical_label_bias``, ``measurement_bias``, ``proxy_bias``.
"""

from ..metrics import youden_threshold
from ._accidental import BiasedData, historical_label_bias, measurement_bias, proxy_bias, representation_bias
from ._poisoning import poison_labels

__all__ = [
    "BiasedData",
    "historical_label_bias",
    "measurement_bias",
    "poison_labels",
    "proxy_bias",
    "representation_bias",
    "youden_threshold",
]
