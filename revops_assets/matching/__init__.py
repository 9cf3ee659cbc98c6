"""Record linkage as a library: link two DataFrames (ACE x Odoo opportunities, companies x AWS accounts, ...) from a
declarative spec, with scores estimated on the data at hand (Fellegi-Sunter EM), explanations, one-to-one assignment,
review decisions and learning from them; or score given pairs (`score_pairs`, and the generic pairwise mode of
`pairwise.py` behind `revops eval-er`).

Plain pandas/numpy/scipy/scikit-learn; no Dagster and no database here (the assets call into this package).
"""

import importlib

# name -> submodule; imported on first use, so the Dagster code location (which imports matching.assets) does not
# pay for scipy and scikit-learn until a run needs them.
_EXPORTS = {
    "LinkResult": "engine", "link": "engine", "score_pairs": "engine",
    "evaluate": "evaluation", "precision_recall": "evaluation",
    "FitResult": "learning", "fit_from_labels": "learning",
    "candidate_recall": "candidates",
    "FittedModel": "scoring", "MatchModel": "scoring",
    "MATCHED_STATUSES": "spec", "LinkSpec": "spec", "load_spec": "spec",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
