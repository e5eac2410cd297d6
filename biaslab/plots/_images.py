"""Plots for modules 06-07: images, saliency maps, concepts."""

__all__: list[str] = []
