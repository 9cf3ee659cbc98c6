"""A declarative description of one record-linkage job, so one engine links any two record sets.

The engine never hard-codes ACE or Odoo column names: a `LinkSpec` says which column of each table plays which role
(id, company name, title, domain, ...), how stages and origins of the two systems correspond, which candidate
sources to use and how hard, the default (hand-set) comparison weights, and the status thresholds. Specs are plain
data (pydantic), so they load from YAML (`data/matching/*.yaml`) and can be tuned without code changes.

Amount rule: amounts are compared on an annual-ish basis. An amount whose kind is "monthly" is multiplied by
`months_per_total` (12) before comparison; a "total" amount is used as is. So ACE's expected monthly AWS spend x 12 is
compared with Odoo's expected revenue (a deal total). Proximity is 1 - |ln(a/b)| / ln(max_ratio), floored at 0:
equal amounts give 1, a factor 2 apart ~0.70, a factor `max_ratio` (10) or more apart 0. Zero, negative or missing
amounts count as missing (ACE often stores 0 as "not filled in").

Date rule: proximity = 0.5 ** (days apart / half_life_days): 0 days -> 1, `half_life_days` (30) -> 0.5, 90 -> 0.125.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


STATUSES = ("confirmed", "auto_matched", "needs_review", "unmatched")
# Statuses that mean "left and right are the same thing" (unmatched rows may still carry a best candidate).
MATCHED_STATUSES = ("confirmed", "auto_matched", "needs_review")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Columns(_Strict):
    """Which column of one table plays which role; None means the table has no such column."""

    id: str
    name: str | None = None  # normalized company name (compared with rapidfuzz)
    company_key: str | None = None  # blocking key for name blocking; falls back to `name`
    title: str | None = None
    domain: str | None = None
    account_id: str | None = None  # exact key, e.g. the 12-digit AWS account id
    # a column holding the OTHER table's id: ACE's partner CRM id names an Odoo deal, Odoo's ACE reference an ACE one
    crm_key: str | None = None
    # A crm_key value is a key only when it matches this pattern (group 1 = the other table's id) AND that id exists
    # on the other side: "0060000YHbI5ED5" (Salesforce) or "HS-477093" (HubSpot) are not Odoo ids.
    crm_key_pattern: str = r"^\s*(?:odoo\s*[-_:#/]?\s*(?:id\s*)?|#)?0*(\d{1,12})\s*$"
    context_text: str | None = None  # free text about the record (description, use case): title is compared to it
    amount: str | None = None
    amount_kind: Literal["monthly", "total"] = "total"
    date: str | None = None  # expected close date
    # when the record was created: an ACE registration follows the CRM deal by days (an AWS referral precedes it),
    # whatever its close date later slipped to; an older resubmission or another phase was created months apart
    created: str | None = None
    stage: str | None = None
    origin: str | None = None
    # true when the record belongs to what the other system tracks (an Odoo deal with AWS fields or an AWS tag; a
    # network refresh or a pen test is rarely registered in ACE): booleans, missing = unknown
    in_scope: str | None = None
    # what the deal is about, from a fixed list (ACE's use case); records without one get it predicted from their
    # text by a classifier trained on those that have one (categories.py)
    category: str | None = None
    identity_vector: str | None = None  # column of np.ndarray (company identity embedding)
    context_vector: str | None = None  # column of np.ndarray (deal context embedding)
    sparse: str | None = None  # column of dict token -> weight (BGE-M3 lexical weights)


def loose_key(value: object) -> str:
    """Compare picklist values ignoring case, spaces and punctuation ("Closed-Lost" == "closed lost")."""
    return re.sub(r"[^0-9a-z]+", "", str(value).lower())


class ValueGroups(_Strict):
    """Maps each side's raw values (stages, origins) onto shared groups; unmapped values use `*_default`."""

    left: dict[str, str] = Field(default_factory=dict)
    right: dict[str, str] = Field(default_factory=dict)
    left_default: str | None = None
    right_default: str | None = None
    # True: every (left group, right group) pair is a comparison level of its own, whose weight EM estimates from the
    # data; `score` only sets its prior weight. How often an open registration faces an archived deal, or an AWS
    # referral a deal the partner logged as its own, among true pairs is the partner's habit, not a constant (on the
    # harder generator, auto F1 +0.003 at medium and high noise for stages, +0.001 more for origins, against pooling
    # the pairs by score).
    each_pair: bool = True

    def lookup(self, side: Literal["left", "right"]) -> tuple[dict[str, str], str | None]:
        table = self.left if side == "left" else self.right
        default = self.left_default if side == "left" else self.right_default
        return {loose_key(k): v for k, v in table.items()}, default

    def score(self, left_group: str, right_group: str) -> float:
        """1 for the same group, 0 for different ones."""
        return 1.0 if left_group == right_group else 0.0

    def groups(self, side: Literal["left", "right"]) -> list[str]:
        table, default = self.lookup(side)
        return sorted(set(table.values()) | ({default} if default else set()))

    def pair_values(self) -> dict[tuple[str, str], float]:
        """(left group, right group) -> the feature value of such a pair: its `score`, plus (with `each_pair`) an
        offset under 0.01 unique to the pair, so that pairs of equal score fall in levels of their own. Pairs are
        ranked by score, then by name, so the values keep the order of the scores."""
        cells = sorted((self.score(a, b), a, b) for a in self.groups("left") for b in self.groups("right"))
        if not self.each_pair:
            return {(a, b): c for c, a, b in cells}
        step = 0.01 / max(len(cells), 1)
        return {(a, b): round(c + k * step, 6) for k, (c, a, b) in enumerate(cells)}


class StageTable(ValueGroups):
    """Stage groups plus how compatible each group pair is (0 = contradictory, 1 = consistent).

    Missing entries of `compat` default to 1 for equal groups and 0.5 otherwise.
    """

    compat: dict[str, dict[str, float]] = Field(default_factory=dict)

    def score(self, left_group: str, right_group: str) -> float:
        if left_group in self.compat and right_group in self.compat[left_group]:
            return float(self.compat[left_group][right_group])
        return 1.0 if left_group == right_group else 0.5


class Mirror(_Strict):
    """A value one system copied from the other (a CRM connector writing ACE's target close date, revenue or stage
    onto the Odoo deal): the two agreeing is evidence of the same deal, beyond what any own-field comparison says.

    `kind` says how values compare: "text" ignoring case, spaces and punctuation; "date" to the day; "number" to
    0.1% (so 14376 and 14376.00 agree)."""

    left: str
    right: str
    kind: Literal["text", "date", "number"] = "text"


class Levels(_Strict):
    """Splink-style comparison levels of one feature: value >= thresholds[i] -> weights[i], below all -> weights[-1].

    Weights are natural-log Bayes factors (log-odds contributions). A missing value (NaN) always contributes 0,
    like Splink's null level.
    """

    thresholds: list[float]
    weights: list[float]
    labels: list[str] | None = None  # a name per level for reports (e.g. "open/won" for a pair of stage groups)

    @model_validator(mode="after")
    def _check(self) -> "Levels":
        if len(self.weights) != len(self.thresholds) + 1:
            raise ValueError("levels need exactly one more weight than thresholds")
        if self.labels is not None and len(self.labels) != len(self.weights):
            raise ValueError("levels need one label per weight")
        if any(a <= b for a, b in zip(self.thresholds, self.thresholds[1:])):
            raise ValueError("level thresholds must be strictly descending")
        return self


def default_levels() -> dict[str, Levels]:
    """Hand-set weights that work without labels: each comparison's own (features.LINKAGE_FEATURES, where the
    reasoning behind each is written; docs/matching.md)."""
    from .features import LINKAGE_FEATURES  # the comparisons need the spec's types: imported when called

    return {f.name: f.prior.model_copy() for f in LINKAGE_FEATURES}


def feature_names() -> tuple[str, ...]:
    """The linkage's feature names (features.FEATURES), for validating a spec's weights."""
    from .features import FEATURES

    return FEATURES


def default_groups() -> dict[str, list[str]]:
    """Correlated features scored as ONE comparison each (their evidence counted once, see docs/matching.md)."""
    return {
        "company": ["account_eq", "domain_eq", "name_sim", "identity_cos"],
        "deal_text": ["title_sim", "title_lexical", "title_context", "context_cos", "sparse_lexical", "category_agree"],
    }


class Weights(_Strict):
    """The hand-set scoring model, used as the PRIOR of the estimates made on the data at hand.

    `groups`: features that measure the same thing (company: account, domain, name, identity embedding) form one
    comparison whose levels are bands of their summed default weights, so EM estimates how much the group as a
    whole says instead of multiplying correlated evidence. `condition_on` (optional, e.g. "company"): the group whose
    "same" levels (band edge >= `same_at`) condition the non-match distribution of every other comparison: among
    pairs of the same company, deal evidence is judged against that company's other deals, not random pairs.
    """

    prior_log_odds: float = -3.5
    levels: dict[str, Levels] = Field(default_factory=default_levels)
    groups: dict[str, list[str]] = Field(default_factory=default_groups)
    group_levels: int = 8
    # Off by default: measured on the demo's data and on the noisy synthetic set, the grouped comparisons plus the
    # rivals posterior already keep a customer's other deals down, and conditioning made the estimates
    # under-confident (demo auto F1 0.947 with it, 0.954 without; noisy synthetic 0.973 / 0.974).
    condition_on: str | None = None
    same_at: float = 1.0

    @model_validator(mode="after")
    def _known(self) -> "Weights":
        names = set(feature_names())
        unknown = set(self.levels) - names
        unknown |= {f for members in self.groups.values() for f in members} - names
        if unknown:
            raise ValueError(f"unknown features in weights: {sorted(unknown)}")
        grouped = [f for members in self.groups.values() for f in members]
        if len(grouped) != len(set(grouped)):
            raise ValueError("a feature can belong to one group only")
        if self.condition_on is not None and self.condition_on not in self.groups:
            raise ValueError(f"condition_on names no group: {self.condition_on!r}")
        return self


class Thresholds(_Strict):
    """Match probabilities: below `floor` a pair is never assigned; [review, auto) needs review; >= auto auto-matches."""

    floor: float = 0.10
    review: float = 0.50
    auto: float = 0.80

    @model_validator(mode="after")
    def _ordered(self) -> "Thresholds":
        if not 0.0 < self.floor <= self.review <= self.auto < 1.0:
            raise ValueError("thresholds must satisfy 0 < floor <= review <= auto < 1")
        return self


class Candidates(_Strict):
    """Which candidate sources run and how wide each one searches."""

    exact_keys: list[Literal["crm_key", "account_id", "domain"]] = ["crm_key", "account_id", "domain"]
    max_key_fanout: int = 50  # a domain/account shared by more records than this is no key (gmail.com)
    knn_vectors: list[Literal["identity", "context"]] = ["identity", "context"]
    # where the warehouse path finds vector neighbours: "memory" (the vectors the sides were read with, searched by
    # the engine) or "pgvector" (one HNSW index lookup per left row; minutes at 100k rows, see docs/benchmarks.md)
    knn_source: Literal["memory", "pgvector"] = "memory"
    knn_k: int = 10
    knn_min_cosine: float = 0.3
    chunk_size: int = 2048  # left rows per similarity block (memory ~ chunk_size x n_right x 4 bytes)
    knn_backend: Literal["auto", "numpy", "torch"] = "auto"  # auto: torch when installed (faster top-k), else numpy
    # "auto": a bfloat16 shortlist re-ranked exactly where this CPU multiplies bfloat16 fast, else exact float32
    knn_precision: Literal["auto", "exact", "bfloat16"] = "auto"
    knn_recall_sample: int = 500  # left rows whose exact neighbours measure an approximate search's recall (0: none)
    name_method: Literal["ngram", "cdist", "none"] = "ngram"
    name_k: int = 10
    name_min_similarity: float = 0.5  # ngram: TF-IDF cosine; cdist: rapidfuzz score / 100
    ngram_max_df: int = 1000  # ngram: ignore character 3-grams found in more distinct right names than this


class Calibration(_Strict):
    """How the model is estimated from the data at hand (Fellegi-Sunter EM, see calibration.py)."""

    method: Literal["em", "defaults"] = "em"  # "defaults": the hand-set weights as they are
    iterations: int = 30
    min_pairs: int = 200  # fewer candidate pairs: the hand-set weights as they are (too little data for EM)
    random_pairs: int = 50_000  # u probabilities (non-match distribution) from this many random pairs
    prior_strength: float = 5.0  # pseudo-pairs pulling each m (match distribution) toward the hand-set weights
    one_to_one: bool = True  # soft constraint in EM: a record's match responsibilities sum to at most 1
    min_decisions: int = 20  # with fewer (or fewer than 5 of a kind), decisions are clamped in EM but no calibration
    # Apply the held-fold calibration of the log-odds (learning.calibrate_on_folds)? Off by default: decisions taken
    # from the review queue are the uncertain pairs, not a random sample, and a logistic fit on them moved every
    # probability of the demo data below 0.8 (F1 0.95 -> 0.03 after 50 queue decisions). Turn on when decisions are a
    # random sample of the pairs; the held-out figures are reported either way.
    apply_held_fold_calibration: bool = False
    generic_title_companies: int = 3  # a title used by this many distinct companies on one side is generic


class Features(_Strict):
    """Knobs of the comparison functions (documented in the module docstring)."""

    name_scorer: Literal["WRatio", "token_set_ratio", "token_sort_ratio", "ratio"] = "WRatio"
    # token_sort, not token_set: a title that is a subset of the other ("Disaster Recovery") must not score 1.0
    title_scorer: Literal["WRatio", "token_set_ratio", "token_sort_ratio", "ratio"] = "token_sort_ratio"
    months_per_total: float = 12.0
    amount_max_ratio: float = 10.0
    date_half_life_days: float = 30.0
    created_half_life_days: float = 30.0


class LinkSpec(_Strict):
    """Everything the engine needs to know about one linkage besides the data itself."""

    name: str = "link"
    left: Columns
    right: Columns
    stages: StageTable = Field(default_factory=StageTable)
    origins: ValueGroups = Field(default_factory=ValueGroups)
    mirrors: list[Mirror] = Field(default_factory=list)  # values the right copied from the left (mirror_eq)
    candidates: Candidates = Field(default_factory=Candidates)
    features: Features = Field(default_factory=Features)
    weights: Weights = Field(default_factory=Weights)
    calibration: Calibration = Field(default_factory=Calibration)
    thresholds: Thresholds = Field(default_factory=Thresholds)

    @classmethod
    def from_yaml(cls, path: str | Path) -> "LinkSpec":
        return cls.model_validate(yaml.safe_load(Path(path).read_text()))

    @classmethod
    def from_dict(cls, data: dict) -> "LinkSpec":
        return cls.model_validate(data)


def spec_dir() -> Path:
    from revops_assets.settings import data_dir

    return data_dir() / "matching"


def load_spec(name: str = "ace_to_odoo") -> LinkSpec:
    """A named spec from data/matching/<name>.yaml."""
    return LinkSpec.from_yaml(spec_dir() / f"{name}.yaml")
