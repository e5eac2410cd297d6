"""Widgets for modules 07-08: lambda and thresholds."""

__all__: list[str] = []
