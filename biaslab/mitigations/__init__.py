"""Mitigating bias: in tabular models before, during and after training (module 08), and in
image models by class artifact compensation (module 07).

Pre-processing (Kamiran & Calders 2012) changes the training data so its labels no longer
discriminate: :func:`reweighing_weights` / :class:`Reweighing`, :func:`massage`,
:func:`uniform_sampling`, :func:`preferential_sampling`.
Post-processing moves each group's decision threshold: :class:`GroupThresholds`.
In-processing trains under a fairness constraint: :func:`exponentiated_gradient` (Fairlearn's
reduction, made reproducible).
Image models (torch, imported when used): :func:`vanilla_fine_tune`, :func:`p_clarc`,
:func:`a_clarc`, :func:`rr_clarc` (Dreyer, Pahde et al. 2024), with :func:`rr_penalty`.

Everything here is deterministic except where a ``random_state`` is asked for, and then the
same seed gives the same result.
"""

from ._clarc import (CLARC_METHODS, ClarcModel, a_clarc, p_clarc, project_along, rr_clarc, rr_penalty, shift_along,
                     vanilla_fine_tune)
from ._comparison import (FAIRNESS_COLUMNS, MITIGATION_DATASETS, MITIGATION_METHODS, MITIGATION_RESULTS_FILE,
                          evaluate_predictions, fit_baseline, load_mitigation_results, mitigation_data, pareto_front,
                          run_mitigation)
from ._postprocessing import GroupThresholds, group_thresholds
from ._preprocessing import (
    MassagingResult,
    Reweighing,
    SamplingResult,
    expected_cell_sizes,
    massage,
    preferential_sampling,
    reweighing_weights,
    uniform_sampling,
)
from ._reductions import CONSTRAINTS, ExponentiatedGradientClassifier, exponentiated_gradient

__all__ = [
    "CLARC_METHODS",
    "CONSTRAINTS",
    "ClarcModel",
    "a_clarc",
    "p_clarc",
    "project_along",
    "shift_along",
    "rr_clarc",
    "rr_penalty",
    "vanilla_fine_tune",
    "ExponentiatedGradientClassifier",
    "GroupThresholds",
    "MassagingResult",
    "Reweighing",
    "SamplingResult",
    "expected_cell_sizes",
    "exponentiated_gradient",
    "group_thresholds",
    "massage",
    "preferential_sampling",
    "reweighing_weights",
    "uniform_sampling",
    # the module 08 comparison (shipped results)
    "FAIRNESS_COLUMNS",
    "MITIGATION_DATASETS",
    "MITIGATION_METHODS",
    "MITIGATION_RESULTS_FILE",
    "evaluate_predictions",
    "fit_baseline",
    "load_mitigation_results",
    "mitigation_data",
    "pareto_front",
    "run_mitigation",
]
