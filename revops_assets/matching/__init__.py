"""Record linkage as a library: link two DataFrames (ACE x Odoo opportunities, companies x AWS accounts, ...) from a
declarative spec, with explainable scores, one-to-one assignment, review decisions and learning from them.

Plain pandas/numpy/scipy/scikit-learn; no Dagster and no database here (the assets call into this package).
"""

from .engine import LinkResult, link
from .evaluation import evaluate, precision_recall
from .learning import FitResult, fit_from_labels
from .candidates import candidate_recall
from .scoring import FittedModel, MatchModel
from .spec import MATCHED_STATUSES, LinkSpec, load_spec

__all__ = [
    "LinkResult",
    "LinkSpec",
    "MATCHED_STATUSES",
    "MatchModel",
    "FitResult",
    "FittedModel",
    "candidate_recall",
    "evaluate",
    "fit_from_labels",
    "link",
    "load_spec",
    "precision_recall",
]
