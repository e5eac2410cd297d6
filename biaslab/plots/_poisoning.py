"""Plots for module 04: the rate sweep."""

__all__: list[str] = []
