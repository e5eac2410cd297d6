"""Plots for module 02: group rates with confidence intervals, calibration."""

__all__: list[str] = []
