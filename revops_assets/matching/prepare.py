"""Turn one input DataFrame into plain arrays the candidate and feature steps can use without pandas lookups.

Every role becomes one array aligned with the table's rows (positions, not ids, are used everywhere inside the
engine). Missing values are made explicit here once: empty strings and NaN become None, non-positive amounts NaN,
zero vectors "absent", so later steps only test for None/NaN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .spec import Columns, LinkSpec, ValueGroups, loose_key


@dataclass
class Side:
    """Arrays of one table, by role. Vectors are L2-normalized float32; `*_ok` says which rows have one."""

    ids: np.ndarray
    id_keys: np.ndarray  # ids as strings, for joins with decisions, truth and crm keys
    name: np.ndarray | None = None
    name_reading: np.ndarray | None = None  # a Japanese reading of names in kanji or kana, None elsewhere
    block_key: np.ndarray | None = None
    title: np.ndarray | None = None
    domain: np.ndarray | None = None
    account: np.ndarray | None = None
    crm_key: np.ndarray | None = None  # the other table's id when the value parses as one and that id exists
    crm_key_status: dict | None = None  # counts: filled, valid, not_an_id, unknown_id
    context_text: np.ndarray | None = None
    title_generic: np.ndarray | None = None  # generic or placeholder title (see generic_titles)
    title_tfidf: sp.csr_matrix | None = None  # L2-normalized TF-IDF of the title (shared vocabulary, both sides)
    title_idf: sp.csr_matrix | None = None  # the title's distinct words weighted by IDF (not normalized)
    context_words: sp.csr_matrix | None = None  # 0/1: words of title + context text
    amount: np.ndarray | None = None  # annualised (see spec module docstring)
    date_days: np.ndarray | None = None  # days since epoch, NaN when missing
    created_days: np.ndarray | None = None  # creation time in days since epoch, NaN when missing
    stage_group: np.ndarray | None = None
    origin_group: np.ndarray | None = None
    in_scope: np.ndarray | None = None  # 1.0 in scope, 0.0 not, NaN unknown
    category: np.ndarray | None = None  # the record's own category (loose text), None when it has none
    category_proba: np.ndarray | None = None  # n x categories: P(category | record), NaN rows cannot compare
    identity: np.ndarray | None = None
    identity_ok: np.ndarray | None = None
    context: np.ndarray | None = None
    context_ok: np.ndarray | None = None
    sparse: sp.csr_matrix | None = None
    sparse_ok: np.ndarray | None = None
    mirrors: list[np.ndarray] | None = None  # per spec.mirrors entry: comparable values (codes, days or numbers)
    mirror_info: np.ndarray | None = None  # per mirror: -ln P(two random records agree), the weight of agreeing

    @property
    def n(self) -> int:
        return len(self.ids)


def id_keys(values: pd.Series | np.ndarray) -> np.ndarray:
    """Ids as strings; integral floats lose their ".0" so 42 and 42.0 and "42" join."""
    out = []
    for v in np.asarray(values, dtype=object):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(None if _missing(v) else str(v).strip())
    return np.array(out, dtype=object)


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT


def clean_text(col: pd.Series) -> np.ndarray:
    """Strings with surrounding space trimmed; NaN/None/"" -> None."""
    s = col.astype(object).where(col.notna(), None)
    out = np.array([None if v is None else (str(v).strip() or None) for v in s], dtype=object)
    return out


def clean_domain(col: pd.Series) -> np.ndarray:
    """Lower-case host: scheme, "www." and any path removed ("https://www.Acme.com/x" -> "acme.com")."""
    s = col.astype(object).where(col.notna(), None).astype("string")
    s = s.str.strip().str.lower().str.replace(r"^[a-z]+://", "", regex=True)
    s = s.str.replace(r"^www\.", "", regex=True).str.split("/").str[0].str.split("@").str[-1]
    return np.array([None if _missing(v) or not v else v for v in s.astype(object)], dtype=object)


def clean_key(col: pd.Series) -> np.ndarray:
    """Exact keys compared without case, spaces or dashes ("1234-5678-9012" == "123456789012")."""
    keys = id_keys(col)
    return np.array([None if k is None else (k.replace("-", "").replace(" ", "").lower() or None) for k in keys],
                    dtype=object)


def _ascii(values: np.ndarray) -> np.ndarray:
    from revops_assets.core.normalize.companies import transliterate

    return np.array([None if v is None else transliterate(v) for v in values], dtype=object)


def _readings(values: np.ndarray) -> np.ndarray:
    from revops_assets.core.normalize.companies import japanese_reading

    return np.array([None if v is None else japanese_reading(v) for v in values], dtype=object)


def annual_amount(col: pd.Series, kind: str, months_per_total: float) -> np.ndarray:
    a = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    a = np.where(a > 0, a, np.nan)
    return a * months_per_total if kind == "monthly" else a


def epoch_days(col: pd.Series) -> np.ndarray:
    d = pd.to_datetime(col, errors="coerce", utc=True)
    days = (d - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds() / 86400.0
    return days.to_numpy(dtype=float, na_value=np.nan)


def group_values(col: pd.Series, groups: ValueGroups, side: Literal["left", "right"]) -> np.ndarray:
    """Raw picklist values -> shared group names via the spec's table (loose comparison); unknown -> default."""
    table, default = groups.lookup(side)
    out = []
    for v in clean_text(col):
        if v is None:
            out.append(None)
        else:
            out.append(table.get(loose_key(v), default))
    return np.array(out, dtype=object)


def stack_vectors(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Column of arrays (or None) -> (n, d) float32 unit rows and a presence mask; zero vectors count as absent."""
    values = list(col.astype(object))
    present = np.array([v is not None and not (isinstance(v, float) and np.isnan(v)) for v in values])
    n = len(values)
    if not present.any():
        return np.zeros((n, 1), dtype=np.float32), np.zeros(n, dtype=bool)
    dim = len(values[int(np.argmax(present))])
    mat = np.zeros((n, dim), dtype=np.float32)
    idx = np.flatnonzero(present)
    if len(idx):
        mat[idx] = np.stack([np.asarray(values[i], dtype=np.float32) for i in idx])
    norms = np.linalg.norm(mat, axis=1)
    ok = norms > 0
    mat[ok] /= norms[ok, None]
    return mat, ok


def sparse_matrices(left: pd.Series, right: pd.Series) -> tuple[sp.csr_matrix, np.ndarray, sp.csr_matrix, np.ndarray]:
    """Both sides' token -> weight dicts as CSR rows over one shared vocabulary (so a row dot is BGE-M3's score)."""
    vocab: dict[object, int] = {}

    def build(col: pd.Series) -> tuple[sp.csr_matrix, np.ndarray]:
        indptr, indices, data = [0], [], []
        for v in col.astype(object):
            if isinstance(v, dict):
                for tok, w in v.items():
                    indices.append(vocab.setdefault(tok, len(vocab)))
                    data.append(float(w))
            indptr.append(len(indices))
        return (
            np.asarray(indptr, dtype=np.int64),
            np.asarray(indices, dtype=np.int64),
            np.asarray(data, dtype=np.float32),
        )

    lp, li, ld = build(left)
    rp, ri, rd = build(right)
    width = max(len(vocab), 1)
    lm = sp.csr_matrix((ld, li, lp), shape=(len(left), width))
    rm = sp.csr_matrix((rd, ri, rp), shape=(len(right), width))
    lm.sum_duplicates()
    rm.sum_duplicates()
    return lm, np.diff(lm.indptr) > 0, rm, np.diff(rm.indptr) > 0


def prepare_side(df: pd.DataFrame, cols: Columns, spec: LinkSpec, side: Literal["left", "right"]) -> Side:
    """Extract the roles `cols` names; a role whose column is missing from `df` raises, naming the column."""
    wanted = {k: v for k, v in cols.model_dump().items()
              if k not in ("amount_kind", "crm_key_pattern") and v is not None}
    mirrored = [getattr(m, side) for m in spec.mirrors]
    absent = sorted({v for v in [*wanted.values(), *mirrored] if v not in df.columns})
    if absent:
        raise KeyError(f"{side} table lacks columns named in the spec: {absent}")
    if df[cols.id].isna().any():
        raise ValueError(f"{side} table has missing ids in column {cols.id!r}")
    if df[cols.id].duplicated().any():
        raise ValueError(f"{side} table has duplicate ids in column {cols.id!r}")
    s = Side(ids=df[cols.id].to_numpy(), id_keys=id_keys(df[cols.id]))  # ids keep their dtype (int stays int)
    if cols.name:  # compared in ASCII, so "Ромашка" meets "Romashka" (see core.normalize.companies.transliterate)
        names = clean_text(df[cols.name])
        s.name = _ascii(names)
        s.name_reading = _readings(names)
    s.block_key = _ascii(clean_text(df[cols.company_key])) if cols.company_key else s.name
    if cols.title:
        s.title = clean_text(df[cols.title])
    if cols.domain:
        s.domain = clean_domain(df[cols.domain])
    if cols.account_id:
        s.account = clean_key(df[cols.account_id])
    if cols.crm_key:
        s.crm_key = parse_keys(df[cols.crm_key], cols.crm_key_pattern)
        s.crm_key_status = {"filled": int(sum(k is not None for k in id_keys(df[cols.crm_key]))),
                            "parsed": int(sum(k is not None for k in s.crm_key))}
    if cols.context_text:
        s.context_text = clean_text(df[cols.context_text])
    if cols.amount:
        s.amount = annual_amount(df[cols.amount], cols.amount_kind, spec.features.months_per_total)
    if cols.date:
        s.date_days = epoch_days(df[cols.date])
    if cols.created:
        s.created_days = epoch_days(df[cols.created])
    if cols.stage:
        s.stage_group = group_values(df[cols.stage], spec.stages, side)
    if cols.origin:
        s.origin_group = group_values(df[cols.origin], spec.origins, side)
    if cols.in_scope:
        s.in_scope = flags(df[cols.in_scope])
    if cols.category:
        s.category = np.array([None if _missing(v) or not str(v).strip() else str(v).strip()
                               for v in df[cols.category].astype(object)], dtype=object)
    if cols.identity_vector:
        s.identity, s.identity_ok = stack_vectors(df[cols.identity_vector])
    if cols.context_vector:
        s.context, s.context_ok = stack_vectors(df[cols.context_vector])
    if spec.mirrors:
        s.mirrors = [mirror_values(df[column], m.kind) for m, column in zip(spec.mirrors, mirrored)]
    return s


def flags(col: pd.Series) -> np.ndarray:
    """Booleans as 1.0 / 0.0 ("t", "yes", "1" and "f", "no", "0" too), NaN when missing or unreadable."""
    words = {"true": 1.0, "t": 1.0, "yes": 1.0, "y": 1.0, "1": 1.0, "false": 0.0, "f": 0.0, "no": 0.0, "n": 0.0,
             "0": 0.0}
    return np.array([np.nan if _missing(v) else words.get(str(v).strip().lower(), np.nan) for v in col.astype(object)],
                    dtype=float)


def mirror_values(col: pd.Series, kind: str) -> np.ndarray:
    """A mirrored column made comparable: days since epoch (date), a float rounded to 0.1% (number, so 14376 and
    14376.00 agree; NaN when missing, zero or not a number), else the loose key of the text (None when missing)."""
    if kind == "date":
        return np.floor(epoch_days(col))
    if kind == "number":
        values = pd.to_numeric(col.astype(object).map(lambda v: None if _missing(v) else str(v).replace(",", "")),
                               errors="coerce").to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            digits = 3 - np.floor(np.log10(np.abs(values)))  # 4 significant digits ~ 0.1%
            rounded = np.round(values * 10.0 ** digits) / 10.0 ** digits
        return np.where(np.isfinite(values) & (values != 0), rounded, np.nan)
    keys = [None if _missing(v) or not str(v).strip() else loose_key(v) for v in col.astype(object)]
    return np.array([k or None for k in keys], dtype=object)


def mirror_information(left: np.ndarray, right: np.ndarray) -> float:
    """-ln of the probability that a random left and a random right record agree on a mirrored value (both
    present): agreeing on a date to the day says much more than agreeing on one of seven stages."""
    lv = pd.Series(left, dtype=object).dropna()
    rv = pd.Series(right, dtype=object).dropna()
    if lv.empty or rv.empty:
        return 0.0
    lf = lv.value_counts(normalize=True)
    rf = rv.value_counts(normalize=True)
    chance = float((lf * rf.reindex(lf.index).fillna(0.0)).sum())
    return float(-np.log(min(max(chance, 1e-6), 1.0)))


def parse_keys(col: pd.Series, pattern: str) -> np.ndarray:
    """Values matching `pattern` (case-insensitive) reduced to its first group; anything else None.

    With the default pattern "123", "#123", "ODOO-123", "odoo id 123" give "123"; "0060000YHbI5ED5" (a Salesforce
    id) and "HS-477093" (a HubSpot id) give None: a number inside another system's id is not our id.
    """
    rx = re.compile(pattern, re.IGNORECASE)
    out = []
    for k in id_keys(col):
        m = rx.match(k) if k is not None else None
        out.append(m.group(1) if m else None)
    return np.array(out, dtype=object)


_WORD_RE = re.compile(r"\w+", re.UNICODE)
_POSSESSIVE_RE = re.compile(r"^(.+?)['’`´]s\b(.*)$", re.IGNORECASE | re.S)


def _words(text: str | None) -> list[str]:
    return _WORD_RE.findall(text.lower()) if text else []


def generic_titles(titles: np.ndarray, companies: np.ndarray | None, min_companies: int = 3) -> np.ndarray:
    """True for titles that say nothing about which deal it is, recognized from the data of one side:

    - the same title (case, punctuation and spacing ignored) used by `min_companies` or more distinct companies
      ("AWS Migration", "MAP", "AWS Resell");
    - a template: the title with its own company's name words removed, and a possessive "<someone>'s" replaced
      by "*", used by `min_companies` or more distinct companies ("Olivia Carter's opportunity" -> "* opportunity",
      "Acme - New Opportunity" -> "new opportunity"), or nothing left at all (the title is the company name).
    """
    n = len(titles)
    comp = companies if companies is not None else np.array([None] * n, dtype=object)
    exact, shape = [], []
    for t, c in zip(titles, comp):
        if t is None:
            exact.append(None)
            shape.append(None)
            continue
        exact.append(" ".join(_words(t)))
        m = _POSSESSIVE_RE.match(t)
        rest = ("* " + m.group(2)) if m else t
        own = set(_words(c)) if c else set()
        shape.append(" ".join(w for w in _words(rest) if w not in own) if not m else
                     "* " + " ".join(w for w in _words(m.group(2)) if w not in own))
    frame = pd.DataFrame({"exact": exact, "shape": shape, "company": [c if c else f"#{i}" for i, c in enumerate(comp)]})
    generic = np.zeros(n, dtype=bool)
    for key in ("exact", "shape"):
        spread = frame.dropna(subset=[key]).groupby(key)["company"].nunique()
        common = set(spread[spread >= min_companies].index)
        generic |= frame[key].isin(common).to_numpy()
    empty_shape = frame["shape"].fillna("x").str.strip().isin(["", "*"]).to_numpy()
    return generic | (empty_shape & frame["exact"].notna().to_numpy())


def deal_texts(side: Side) -> list[str]:
    """Title and context text of each record, one string each ("" when it has neither)."""
    none = np.array([None] * side.n, dtype=object)
    title = side.title if side.title is not None else none
    ctx = side.context_text if side.context_text is not None else none
    return [" ".join(x for x in (t, c) if x) for t, c in zip(title, ctx)]


def _text_matrices(ls: Side, rs: Side) -> None:
    """TF-IDF of titles (IDF over both sides' titles and context texts) for title_lexical and title_context."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    def docs(side: Side, which: str) -> list[str]:
        return [t or "" for t in side.title] if which == "title" else deal_texts(side)

    vec = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", dtype=np.float32, sublinear_tf=True)
    try:
        vec.fit(docs(ls, "title") + docs(rs, "title") + docs(ls, "context") + docs(rs, "context"))
    except ValueError:  # no words at all
        return
    binary = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", dtype=np.float32, vocabulary=vec.vocabulary_,
                             use_idf=False, norm=None, binary=True)
    idf = sp.diags(vec.idf_.astype(np.float32))
    for side in (ls, rs):
        side.title_tfidf = vec.transform(docs(side, "title")).tocsr()
        side.title_idf = (binary.fit_transform(docs(side, "title")) @ idf).tocsr()
        side.context_words = binary.fit_transform(docs(side, "context")).tocsr()


def _categories(ls: Side, rs: Side) -> None:
    """Both sides' category distributions from one classifier over their texts (categories.py)."""
    from .categories import category_distributions

    texts, labels = [], []
    for side in (ls, rs):
        texts += deal_texts(side)
        labels += list(side.category) if side.category is not None else [None] * side.n
    found = category_distributions(texts, labels)
    if found is not None:
        ls.category_proba, rs.category_proba = found[0][: ls.n], found[0][ls.n :]


def prepare(left: pd.DataFrame, right: pd.DataFrame, spec: LinkSpec) -> tuple[Side, Side]:
    ls = prepare_side(left, spec.left, spec, "left")
    rs = prepare_side(right, spec.right, spec, "right")
    for side, other in ((ls, rs), (rs, ls)):
        if side.crm_key is not None:  # a key is a key only when it names an existing record of the other side
            exists = pd.Series(side.crm_key).isin(set(k for k in other.id_keys if k is not None)).to_numpy()
            side.crm_key_status["existing"] = int(exists.sum())
            side.crm_key = np.where(exists, side.crm_key, None)
    if ls.mirrors is not None and rs.mirrors is not None:
        info = np.array([mirror_information(a, b) for a, b in zip(ls.mirrors, rs.mirrors)])
        ls.mirror_info = rs.mirror_info = info
    if ls.title is not None and rs.title is not None:
        k = spec.calibration.generic_title_companies
        for side in (ls, rs):
            side.title_generic = generic_titles(side.title, side.block_key, k)
        _text_matrices(ls, rs)
    if ls.category is not None or rs.category is not None:
        _categories(ls, rs)
    if spec.left.sparse and spec.right.sparse:
        ls.sparse, ls.sparse_ok, rs.sparse, rs.sparse_ok = sparse_matrices(
            left[spec.left.sparse], right[spec.right.sparse]
        )
    return ls, rs
