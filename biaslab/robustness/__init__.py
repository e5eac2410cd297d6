"""Robustness of a fitted model: does a small or irrelevant change flip its prediction?

A prediction should not change when a person's sensitive attribute alone is changed
(:func:`counterfactual_flip_rate`), nor when a number moves a little, such as a patient's age by
a year or two (:func:`perturbation_sensitivity`, and :func:`worst_case_flip` for the worst
change within a range). Each works with any fitted model that has ``predict`` and takes a
DataFrame, such as the pipelines of :func:`biaslab.models.make_tabular_model`.

Robust training adds copies of the training rows: randomly perturbed numbers
(:func:`perturbation_augment`) or the sensitive attribute changed (:func:`counterfactual_augment`);
:func:`robustness_summary` puts what a model gets right beside how easily it flips, and
:func:`load_robust_training_results` compares the variants on the heart disease data.
"""

from ._flips import (
    CounterfactualFlips,
    PerturbationFlips,
    WorstCaseFlips,
    counterfactual_flip_rate,
    perturbation_sensitivity,
    worst_case_flip,
)
from ._comparison import (
    HEART_SETUP,
    ROBUST_TRAINING_FILE,
    TRAINING_VARIANTS,
    compare_robust_training,
    load_robust_training_results,
)
from ._training import AugmentedData, counterfactual_augment, perturbation_augment, robustness_summary

__all__ = [
    "HEART_SETUP",
    "ROBUST_TRAINING_FILE",
    "TRAINING_VARIANTS",
    "AugmentedData",
    "CounterfactualFlips",
    "PerturbationFlips",
    "WorstCaseFlips",
    "compare_robust_training",
    "counterfactual_augment",
    "counterfactual_flip_rate",
    "load_robust_training_results",
    "perturbation_augment",
    "perturbation_sensitivity",
    "robustness_summary",
    "worst_case_flip",
]
