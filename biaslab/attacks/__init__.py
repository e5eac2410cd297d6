"""How bias gets into data: planted on purpose, or by accident.

- ``poison_labels``: the targeted label-poisoning attack of "Hidden in plain sight";
  ``youden_threshold`` sets a model's operating point as that study does.
- Accidental bias with a strength knob, each returning what it changed (``BiasedData``):
  ``representation_bias``, ``historical_label_bias``, ``measurement_bias``, ``proxy_bias``.
- ``bias_source_sweep`` / ``load_bias_source_sweep``: each of the four turned from 0 to 1 on
  Adult, with a model's metrics at every setting (module 03's knob).
- ``mystery_dataset``: a sample of Adult with one source planted, decided by the seed, for
  learners to diagnose; ``planted_bias`` says what was planted.
"""

from ..metrics import youden_threshold
from ._accidental import BiasedData, historical_label_bias, measurement_bias, proxy_bias, representation_bias
from ._mystery import MYSTERY_GROUPS, MYSTERY_STRENGTHS, PlantedBias, mystery_dataset, planted_bias
from ._poisoning import poison_labels
from ._sweep import BIAS_KINDS, MEASURED_COLUMNS, SWEEP_STRENGTHS, bias_source_sweep, load_bias_source_sweep

__all__ = [
    "BIAS_KINDS",
    "BiasedData",
    "MEASURED_COLUMNS",
    "MYSTERY_GROUPS",
    "MYSTERY_STRENGTHS",
    "PlantedBias",
    "SWEEP_STRENGTHS",
    "bias_source_sweep",
    "historical_label_bias",
    "load_bias_source_sweep",
    "measurement_bias",
    "mystery_dataset",
    "planted_bias",
    "poison_labels",
    "proxy_bias",
    "representation_bias",
    "youden_threshold",
]
