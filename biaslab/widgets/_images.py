"""Widgets for module 06: concepts and saliency."""

__all__: list[str] = []
