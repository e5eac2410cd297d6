"""Robustness of a fitted model: does a small or irrelevant change flip its prediction?

A prediction should not change when a person's sensitive attribute alone is changed
(:func:`counterfactual_flip_rate`), nor when a number moves a little, such as a patient's age by
a year or two (:func:`perturbation_sensitivity`, and :func:`worst_case_flip` for the worst
change within a range). Each works with any fitted model that has ``predict`` and takes a
DataFrame, such as the pipelines of :func:`biaslab.models.make_tabular_model`.
"""

from ._flips import (
    CounterfactualFlips,
    PerturbationFlips,
    WorstCaseFlips,
    counterfactual_flip_rate,
    perturbation_sensitivity,
    worst_case_flip,
)

__all__ = [
    "CounterfactualFlips",
    "PerturbationFlips",
    "WorstCaseFlips",
    "counterfactual_flip_rate",
    "perturbation_sensitivity",
    "worst_case_flip",
]
