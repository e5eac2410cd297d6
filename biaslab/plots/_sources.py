"""Plots for module 03: how planted bias moves the metrics."""

__all__: list[str] = []
