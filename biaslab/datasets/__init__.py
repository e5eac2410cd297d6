"""Datasets of the course (loaders arrive with the shipped data)."""

from ._base import Bunch, DataIntegrityError, DatasetHarmWarning, data_dir

__all__ = ["Bunch", "DataIntegrityError", "DatasetHarmWarning", "data_dir"]
