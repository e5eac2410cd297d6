"""Datasets of the course.

``load_*`` read real data shipped with biaslab (verified by sha256, no download);
``make_*`` generate synthetic data (labelled synthetic everywhere it appears);
``add_artifact`` plants a controlled artifact in an image set.

Every loader takes keyword-only ``as_frame=True`` and ``return_X_y=False`` and returns a
:class:`~sklearn.utils.Bunch` with ``data``, ``target``, ``sensitive_features``, ``frame``,
``feature_names``, ``target_name`` and ``DESCR`` (the dataset's datasheet).
"""

from ._artifacts import ArtifactResult, add_artifact
from ._base import Bunch, DataIntegrityError, DatasetHarmWarning, data_dir
from ._catalog import dataset_catalog, datasheet_section
from ._chest_xrays import CHEST_XRAY_SITES, make_chest_xrays
from ._fashion_mnist import load_fashion_mnist
from ._tabular import load_adult, load_compas, load_german_credit, load_heart_disease

__all__ = [
    "ArtifactResult",
    "Bunch",
    "CHEST_XRAY_SITES",
    "DataIntegrityError",
    "DatasetHarmWarning",
    "add_artifact",
    "data_dir",
    "dataset_catalog",
    "datasheet_section",
    "load_adult",
    "load_compas",
    "load_fashion_mnist",
    "load_german_credit",
    "load_heart_disease",
    "make_chest_xrays",
]
