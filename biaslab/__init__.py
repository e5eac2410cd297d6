"""biaslab: the helper package of the "Bias In, Bias Out" course.

Subpackages (imported on demand, so ``import biaslab`` stays fast and never imports torch):

- :mod:`biaslab.datasets`: real shipped datasets (Adult, COMPAS, German credit, heart disease,
  Fashion-MNIST) and synthetic generators (chest X-rays, image artifacts).
- :mod:`biaslab.metrics`: one vectorised engine for group fairness metrics.
- :mod:`biaslab.models`: scikit-learn pipelines for the tables, small CNNs for the images.
- :mod:`biaslab.attacks`: bias planted on purpose (targeted label poisoning) or by accident.
- :mod:`biaslab.robustness`: counterfactual flips and sensitivity to small changes.
- :mod:`biaslab.explain`: activations, concept activation vectors, TCAV, saliency.
- :mod:`biaslab.mitigations`: Kamiran-Calders preprocessing, group thresholds, reductions, ClArC.
- :mod:`biaslab.experiments`: the reproductions (Hidden in plain sight).
- :mod:`biaslab.exercises`, :mod:`biaslab.progress`, :mod:`biaslab.badges`, :mod:`biaslab.course`:
  the workbook's checks, progress, Open Badges and the nbgrader course.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
