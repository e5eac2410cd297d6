"""Widgets for module 04: target and rate."""

__all__: list[str] = []
