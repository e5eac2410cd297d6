"""Widgets for module 03: the bias knob."""

__all__: list[str] = []
