"""Plots for module 05: flips and sensitivity."""

__all__: list[str] = []
