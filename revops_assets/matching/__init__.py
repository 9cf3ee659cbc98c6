"""Record linkage as a library: link two DataFrames (ACE x Odoo opportunities, companies x AWS accounts, ...) from a
declarative spec, with scores estimated on the data at hand (Fellegi-Sunter EM), explanations, one-to-one assignment,
review decisions and learning from them; or score given pairs (`score_pairs`, and the generic pairwise mode of
`pairwise.py` behind `revops eval-er`).

Plain pandas/numpy/scipy/scikit-learn; no Dagster and no database here (the assets call into this package).
"""

from .engine import LinkResult, link, score_pairs
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
    "score_pairs",
    "load_spec",
    "precision_recall",
]
