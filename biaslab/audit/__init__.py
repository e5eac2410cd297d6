"""Auditing a model the way module 09 teaches: one call runs the course's checks, one writes the report.

- :func:`audit_model`: group metrics with bootstrap intervals (:mod:`biaslab.metrics`), a
  planted-attack screen (:func:`fnr_screen`: each group's FNR against everyone else's), proxies
  (:func:`proxy_strength`: how well each feature gives the sensitive attribute away), the
  counterfactual flip rate (:mod:`biaslab.robustness`) and, optionally, a mitigation and its cost.
- :func:`audit_report`: the result as a Markdown or HTML audit report / model card, with its pictures.
- :func:`capstone_case`: the capstone's unseen model, with a planted attack decided by a seed.
- :func:`finish_course`: the capstone's last step, checking the Learner badge and issuing it.
"""

from ._audit import AUDIT_METRICS, AuditResult, audit_model, fnr_screen, proxy_strength
from ._badge import BadgeStatus, finish_course
from ._capstone import CAPSTONE_CANDIDATES, CAPSTONE_SEED, CapstoneCase, capstone_case
from ._report import audit_report

__all__ = [
    "AUDIT_METRICS",
    "AuditResult",
    "BadgeStatus",
    "CAPSTONE_CANDIDATES",
    "CAPSTONE_SEED",
    "CapstoneCase",
    "audit_model",
    "audit_report",
    "capstone_case",
    "finish_course",
    "fnr_screen",
    "proxy_strength",
]
