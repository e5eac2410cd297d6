"""Plots for modules 07-08: accuracy-fairness trade-offs."""

__all__: list[str] = []
