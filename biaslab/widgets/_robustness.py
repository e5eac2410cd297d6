"""Widgets for module 05: the perturbation size."""

__all__: list[str] = []
