"""How bias gets into data: attacks planted on purpose.

``poison_labels`` is the targeted label-poisoning attack of "Hidden in plain sight";
``youden_threshold`` sets a model's operating point as that study does.
"""

from ..metrics import youden_threshold
from ._poisoning import poison_labels

__all__ = ["poison_labels", "youden_threshold"]
