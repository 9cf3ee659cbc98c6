"""Record linkage as a library: link two DataFrames (ACE x Odoo opportunities, companies x AWS accounts, ...) from a
declarative spec, with explainable scores, one-to-one assignment, review decisions and learning from them.

Plain pandas/numpy/scipy/scikit-learn; no Dagster and no database here (the assets call into this package).
"""

import importlib

# name -> submodule; imported on first use, so importing one submodule (the Dagster code location imports the
# assets) does not load pandas, scipy and the whole engine
_EXPORTS = {
    "LinkResult": "engine", "link": "engine", "evaluate": "evaluation", "precision_recall": "evaluation",
    "FitResult": "learning", "fit_from_labels": "learning", "candidate_recall": "candidates",
    "FittedModel": "scoring", "MatchModel": "scoring", "MATCHED_STATUSES": "spec", "LinkSpec": "spec",
    "load_spec": "spec",
}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


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
