"""biaslab: the helper package of the "Bias In, Bias Out" course.

Subpackages (imported on demand, so ``import biaslab`` stays fast and never imports torch):

- :mod:`biaslab.datasets`: real shipped datasets (Adult, COMPAS, German credit, heart disease,
  Fashion-MNIST) and synthetic generators (chest X-rays, image artifacts).
- :mod:`biaslab.metrics`: one vectorised engine for group fairness metrics.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
