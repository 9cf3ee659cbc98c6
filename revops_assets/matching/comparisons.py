"""Comparisons as objects: one class per kind of evidence, so a new feature or role is one object.

A `Comparison` knows its columns (left and right), how to prepare them once per table (parse prices, fit a TF-IDF
vocabulary, embed texts), how to compare aligned pairs of rows (positions `li`, `ri`) into one number per pair in
[0, 1] (or NaN when either side lacks a value: "cannot compare", which scores 0 like Splink's null level), its
comparison levels (thresholds, descending) and a label a reviewer understands.

The classes here are generic (any table, any number of roles of each kind):
- `ExactComparison`: equal normalized keys (1 / 0).
- `TextComparison`: one text similarity by `method`: rapidfuzz ratios, token Jaccard, word or character TF-IDF
  cosine (IDF from both tables, so a shared rare word counts more than a shared common one), overlap of tokens
  containing digits (model numbers, versions), or the cosine of sentence embeddings from an encoder.
- `NumericComparison`: prices and quantities parsed from text ("$1,299.00", "8.10 %", "1.2k") and compared as
  1 - |ln(a/b)| / ln(max_ratio), floored at 0.
- `DateComparison`: 0.5 ** (days apart / half life).
- `VectorComparison`: cosine of vectors stored in a column (e.g. from pgvector).

`compare(comparisons, left, right, li, ri)` returns one column per comparison; `comparisons_for(left, right)` picks
them from the data types of the shared columns (used by the pairwise mode and `revops eval-er`).

A comparison marked `relative` also gives, per side, its margin over the same record's other pairs among those
compared: how far this pair's value is above (> 0) or below (< 0) the best of that record's other candidates (NaN
when the record has no other pair). "Similar" means little on its own where every candidate of a record is similar
(product variants, a customer's other deals); being the record's clearly best candidate means a lot. The linkage
engine weighs deal evidence against the customer's other deals for the same reason. The margins see only which
pairs are compared, never a label.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Encoder = Callable[[list[str]], np.ndarray]  # texts -> (n, d) unit rows

_NUMBER_RE = re.compile(r"[-+]?\d[\d.,]*\d|[-+]?\d|[-+]?\.\d+")
_SCALE = {"k": 1e3, "m": 1e6, "bn": 1e9, "b": 1e9}
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def parse_number(value: object) -> float:
    """The first number in a value, with thousands separators, currency and percent signs ignored.

    "$1,299.00" -> 1299.0, "8.10 %" -> 8.1, "1.2k" -> 1200.0, "$ 1 . 29" (tokenized text) -> 1.29; NaN when none.
    """
    if value is None:
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) if not (isinstance(value, float) and math.isnan(value)) else math.nan
    text = str(value).strip().lower()
    text = re.sub(r"(?<=\d)\s*([.,])\s*(?=\d)", r"\1", text)  # "1 . 29" -> "1.29" (tokenized benchmark text)
    m = _NUMBER_RE.search(text)
    if not m:
        return math.nan
    raw = m.group(0)
    if "," in raw and "." in raw:  # the later separator is the decimal one: "1,299.00", "12.345,50"
        raw = raw.replace(".", "").replace(",", ".") if raw.rfind(",") > raw.rfind(".") else raw.replace(",", "")
    elif "," in raw:  # "1,299" (thousands) or "8,5" (decimal comma)
        raw = raw.replace(",", "") if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", raw) else raw.replace(",", ".")
    elif raw.count(".") > 1:  # "1.234.567"
        raw = raw.replace(".", "")
    try:
        number = float(raw)
    except ValueError:  # "5.4.3.2.1,0": not a number after all
        return math.nan
    rest = text[m.end():].strip()
    for suffix, factor in _SCALE.items():
        if rest.startswith(suffix) and (len(rest) == len(suffix) or not rest[len(suffix)].isalpha()):
            return number * factor
    return number


def _strings(col: pd.Series) -> np.ndarray:
    """Lower-cased, trimmed strings; NaN/None/"" -> None."""
    out = []
    for v in col.astype(object):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out.append(None)
            continue
        s = " ".join(str(v).lower().split())
        out.append(s or None)
    return np.array(out, dtype=object)


def _present(a: np.ndarray) -> np.ndarray:
    return np.fromiter((x is not None for x in a), dtype=bool, count=len(a))


def _default_names(c, suffix: str) -> None:
    """Right column defaults to the left one's name; name "<column>_<suffix>"; label the column."""
    c.right_column = c.right_column or c.left_column
    c.name = c.name or f"{c.left_column}_{suffix}"
    c.label = c.label or c.left_column


class Comparison:
    """Base class: `prepare` once per pair of tables, then `compute` for aligned pair positions."""

    name: str = "comparison"
    label: str = "comparison"
    thresholds: tuple[float, ...] = (0.9, 0.7, 0.5)
    relative: bool = False  # also compare each pair with the same record's other pairs (module docstring)

    def prepare(self, left: pd.DataFrame, right: pd.DataFrame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def compute(self, li: np.ndarray, ri: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, value: float) -> str:
        return f"{self.label} {value:.0%} similar"


@dataclass
class ExactComparison(Comparison):
    """1 when both normalized values are equal, 0 when both present and different, NaN otherwise."""

    left_column: str
    right_column: str | None = None
    name: str = ""
    label: str = ""
    thresholds: tuple[float, ...] = (0.5,)

    def __post_init__(self):
        _default_names(self, "eq")

    def prepare(self, left, right):
        keys = lambda col: np.array([None if v is None else re.sub(r"[\s\-_.]", "", v) or None  # noqa: E731
                                     for v in _strings(col)], dtype=object)
        a, b = keys(left[self.left_column]), keys(right[self.right_column])
        codes, _ = pd.factorize(pd.Series(np.concatenate([a, b]), dtype=object), use_na_sentinel=True)
        self._lc, self._rc = codes[: len(a)], codes[len(a):]

    def compute(self, li, ri):
        a, b = self._lc[li], self._rc[ri]
        out = np.full(len(li), np.nan)
        both = (a >= 0) & (b >= 0)
        out[both] = (a[both] == b[both]).astype(float)
        return out

    def describe(self, value):
        return f"same {self.label}" if value >= 0.5 else f"different {self.label}"


TEXT_METHODS = ("ratio", "token_set", "token_sort", "partial", "jaccard", "tfidf_word", "tfidf_char", "digits",
                "embedding")


@dataclass
class TextComparison(Comparison):
    """One similarity of two text columns, chosen by `method` (see TEXT_METHODS and the module docstring).

    `left_column` / `right_column` may name several columns (joined with spaces), e.g. a whole-record comparison or
    a title against the other side's description.
    """

    left_column: str | Sequence[str]
    method: str = "token_set"
    right_column: str | Sequence[str] | None = None
    encoder: Encoder | None = None
    name: str = ""
    label: str = ""
    thresholds: tuple[float, ...] = (0.9, 0.75, 0.5)
    relative: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.method not in TEXT_METHODS:
            raise ValueError(f"unknown text method {self.method!r}; choose one of {TEXT_METHODS}")
        if self.method == "embedding" and self.encoder is None:
            raise ValueError("the embedding method needs an encoder")
        self.right_column = self.right_column or self.left_column
        lc = "+".join(_as_list(self.left_column))
        rc = "+".join(_as_list(self.right_column))
        self.name = self.name or (f"{lc}_{self.method}" if lc == rc else f"{lc}_vs_{rc}_{self.method}")
        self.label = self.label or (lc if lc == rc else f"{lc} vs {rc}")

    def prepare(self, left, right):
        self._a = _joined(left, self.left_column)
        self._b = _joined(right, self.right_column)
        self._ok_a, self._ok_b = _present(self._a), _present(self._b)
        if self.method in ("tfidf_word", "tfidf_char"):
            from sklearn.feature_extraction.text import TfidfVectorizer

            kw = {"analyzer": "char_wb", "ngram_range": (3, 3)} if self.method == "tfidf_char" else {
                "token_pattern": r"(?u)\b\w+\b"}
            vec = TfidfVectorizer(dtype=np.float32, sublinear_tf=True, **kw)
            texts = [x or "" for x in np.concatenate([self._a, self._b])]
            try:
                mat = vec.fit_transform(texts).tocsr()
            except ValueError:  # nothing to learn a vocabulary from
                mat = None
            self._ma = mat[: len(self._a)] if mat is not None else None
            self._mb = mat[len(self._a):] if mat is not None else None
        elif self.method == "embedding":
            self._ea = _embed(self.encoder, self._a)
            self._eb = _embed(self.encoder, self._b)
        elif self.method in ("jaccard", "digits"):
            digits = self.method == "digits"
            self._ta = [_tokens(x, digits) for x in self._a]
            self._tb = [_tokens(x, digits) for x in self._b]

    def compute(self, li, ri):
        li, ri = np.asarray(li, np.int64), np.asarray(ri, np.int64)
        out = np.full(len(li), np.nan)
        both = np.flatnonzero(self._ok_a[li] & self._ok_b[ri])
        if len(both) == 0:
            return out
        a_idx, b_idx = li[both], ri[both]
        m = self.method
        if m in ("ratio", "token_set", "token_sort", "partial"):
            from rapidfuzz import fuzz, process

            scorer = {"ratio": fuzz.ratio, "token_set": fuzz.token_set_ratio, "token_sort": fuzz.token_sort_ratio,
                      "partial": fuzz.partial_ratio}[m]
            out[both] = process.cpdist(self._a[a_idx].tolist(), self._b[b_idx].tolist(), scorer=scorer,
                                       dtype=np.float32, workers=-1) / 100.0
        elif m in ("tfidf_word", "tfidf_char"):
            if self._ma is not None:
                out[both] = _row_dots(self._ma, self._mb, a_idx, b_idx)
        elif m == "embedding":
            out[both] = np.clip(np.einsum("ij,ij->i", self._ea[a_idx], self._eb[b_idx]), -1.0, 1.0)
        elif m in ("jaccard", "digits"):
            vals = np.full(len(both), np.nan)
            for k, (i, j) in enumerate(zip(a_idx, b_idx)):
                ta, tb = self._ta[i], self._tb[j]
                if ta or tb:
                    inter = len(ta & tb)
                    # digits: containment (a model number on one side found on the other); jaccard: |A&B| / |A|B|
                    vals[k] = inter / min(len(ta), len(tb)) if m == "digits" and ta and tb else (
                        0.0 if m == "digits" else inter / len(ta | tb))
            out[both] = vals
        return out

    def describe(self, value):
        if self.method == "embedding":
            return f"{self.label} meaning cos {value:.2f}"
        return f"{self.label} {value:.0%} similar"


@dataclass
class NumericComparison(Comparison):
    """1 - |ln(a/b)| / ln(max_ratio), clipped to [0, 1], on parsed positive numbers; NaN when either is missing."""

    left_column: str
    right_column: str | None = None
    max_ratio: float = 10.0
    left_scale: float = 1.0  # e.g. 12 to compare a monthly amount with a total
    right_scale: float = 1.0
    name: str = ""
    label: str = ""
    thresholds: tuple[float, ...] = (0.9, 0.7, 0.4)

    def __post_init__(self):
        _default_names(self, "prox")

    def prepare(self, left, right):
        self._a = numbers(left[self.left_column]) * self.left_scale
        self._b = numbers(right[self.right_column]) * self.right_scale

    def compute(self, li, ri):
        a, b = self._a[li], self._b[ri]
        with np.errstate(divide="ignore", invalid="ignore"):
            prox = 1.0 - np.abs(np.log(a / b)) / np.log(self.max_ratio)
        prox = np.where((a == 0) & (b == 0), 1.0, prox)
        return np.clip(prox, 0.0, 1.0)

    def describe(self, value):
        return f"{self.label} {'close' if value >= 0.7 else 'apart'} (proximity {value:.2f})"


@dataclass
class DateComparison(Comparison):
    """0.5 ** (|days apart| / half_life_days); NaN when either date is missing."""

    left_column: str
    right_column: str | None = None
    half_life_days: float = 30.0
    name: str = ""
    label: str = ""
    thresholds: tuple[float, ...] = (0.9, 0.5, 0.125)

    def __post_init__(self):
        _default_names(self, "prox")

    def prepare(self, left, right):
        self._a, self._b = epoch_days(left[self.left_column]), epoch_days(right[self.right_column])

    def compute(self, li, ri):
        return np.power(0.5, np.abs(self._a[li] - self._b[ri]) / self.half_life_days)

    def describe(self, value):
        days = self.half_life_days * np.log2(1.0 / value) if value > 0 else float("inf")
        return f"{self.label} ~{days:.0f} days apart"


@dataclass
class VectorComparison(Comparison):
    """Cosine of vectors stored in a column (arrays or None); NaN when either is absent or dimensions differ."""

    left_column: str
    right_column: str | None = None
    name: str = ""
    label: str = ""
    thresholds: tuple[float, ...] = (0.85, 0.75, 0.6)

    def __post_init__(self):
        _default_names(self, "cos")

    def prepare(self, left, right):
        from .prepare import stack_vectors

        self._a, self._oka = stack_vectors(left[self.left_column])
        self._b, self._okb = stack_vectors(right[self.right_column])

    def compute(self, li, ri):
        out = np.full(len(li), np.nan)
        if self._a.shape[1] != self._b.shape[1]:
            return out
        ok = self._oka[li] & self._okb[ri]
        idx = np.flatnonzero(ok)
        out[idx] = np.clip(np.einsum("ij,ij->i", self._a[li[idx]], self._b[ri[idx]]), -1.0, 1.0)
        return out

    def describe(self, value):
        return f"{self.label} cos {value:.2f}"


# ------------------------------------------------------------------------------------------------- helpers


def _as_list(cols: str | Sequence[str]) -> list[str]:
    return [cols] if isinstance(cols, str) else list(cols)


def _joined(frame: pd.DataFrame, cols: str | Sequence[str]) -> np.ndarray:
    parts = [_strings(frame[c]) for c in _as_list(cols)]
    if len(parts) == 1:
        return parts[0]
    return np.array([" ".join(p for p in row if p) or None for row in zip(*parts)], dtype=object)


def _tokens(text: str | None, digits_only: bool) -> frozenset:
    if not text:
        return frozenset()
    toks = _TOKEN_RE.findall(text)
    if digits_only:
        return frozenset(t for t in toks if any(c.isdigit() for c in t) and len(t) >= 2)
    return frozenset(toks)


def _row_dots(a, b, ai: np.ndarray, bi: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    out = np.empty(len(ai))
    for s in range(0, len(ai), chunk):
        out[s : s + chunk] = np.asarray(a[ai[s : s + chunk]].multiply(b[bi[s : s + chunk]]).sum(axis=1)).ravel()
    return out


def _embed(encoder: Encoder, texts: np.ndarray) -> np.ndarray:
    """Unit embeddings of each row's text (distinct texts embedded once); zero rows where the text is missing."""
    present = [t for t in texts if t]
    uniq = sorted(set(present))
    if not uniq:
        return np.zeros((len(texts), 1), np.float32)
    vecs = np.asarray(encoder(uniq), dtype=np.float32)
    index = {t: i for i, t in enumerate(uniq)}
    out = np.zeros((len(texts), vecs.shape[1]), np.float32)
    rows = [i for i, t in enumerate(texts) if t]
    out[rows] = vecs[[index[texts[i]] for i in rows]]
    return out


def numbers(col: pd.Series) -> np.ndarray:
    """Parsed numbers (see `parse_number`) as floats; non-positive values and text without a number are NaN."""
    vals = np.array([parse_number(v) for v in col.astype(object)], dtype=float)
    return np.where(vals > 0, vals, np.nan)


def epoch_days(col: pd.Series) -> np.ndarray:
    d = pd.to_datetime(col, errors="coerce", utc=True, format="mixed") if col.dtype == object else pd.to_datetime(
        col, errors="coerce", utc=True)
    days = (d - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds() / 86400.0
    return days.to_numpy(dtype=float, na_value=np.nan)


MARGIN_SUFFIXES = ("_margin_left", "_margin_right")
RECORD_METHODS = ("tfidf_word", "tfidf_char", "token_set", "digits")  # the whole-record comparisons


def compare(comparisons: Sequence[Comparison], left: pd.DataFrame, right: pd.DataFrame, li, ri,
            prepared: bool = False) -> pd.DataFrame:
    """One float column per comparison for the pairs (li, ri) (row positions of `left` and `right`), and for each
    `relative` comparison its margins over the same left record's and the same right record's other pairs."""
    li, ri = np.asarray(li, np.int64), np.asarray(ri, np.int64)
    cols = {}
    for c in comparisons:
        if not prepared:
            c.prepare(left, right)
        cols[c.name] = c.compute(li, ri)
        if c.relative:
            value = np.where(np.isnan(cols[c.name]), -1.0, cols[c.name])  # nothing to compare: below any value
            for suffix, record in zip(MARGIN_SUFFIXES, (li, ri)):
                cols[c.name + suffix] = value - best_of_others(value, record)
    return pd.DataFrame(cols)


def best_of_others(value: np.ndarray, record: np.ndarray) -> np.ndarray:
    """For each pair, the highest `value` among the other pairs of the same `record` (NaN when it has none)."""
    frame = pd.DataFrame({"record": record, "value": value})
    by_record = frame.groupby("record")["value"]
    top = by_record.transform("max").to_numpy()
    first = by_record.rank(method="first", ascending=False).to_numpy() == 1  # one pair holding the top
    runner_up = frame["value"].where(~first, -np.inf).groupby(frame["record"]).transform("max").to_numpy()
    out = np.where(first, runner_up, top)
    return np.where(by_record.transform("size").to_numpy() > 1, out, np.nan)


# ----------------------------------------------------------------------------- comparisons from data types


def column_kind(left: pd.Series, right: pd.Series) -> str:
    """"numeric" when >= 90% of filled values on both sides parse as numbers and hold no more than one other word
    (prices, quantities, years, percentages); "text" otherwise; "empty" when nothing is filled."""
    kinds = []
    for col in (left, right):
        s = [v for v in _strings(col) if v is not None]
        if not s:
            kinds.append("empty")
            continue
        sample = s[:2000]
        numeric = sum(1 for v in sample if not math.isnan(parse_number(v)) and len(_TOKEN_RE.findall(
            re.sub(r"[\d.,]+", " ", v))) <= 1)
        kinds.append("numeric" if numeric >= 0.9 * len(sample) else "text")
    if kinds == ["empty", "empty"]:
        return "empty"
    real = [k for k in kinds if k != "empty"]
    return "numeric" if all(k == "numeric" for k in real) else "text"


def mean_tokens(col: pd.Series) -> float:
    s = [v for v in _strings(col) if v is not None]
    return float(np.mean([len(v.split()) for v in s])) if s else 0.0


def comparisons_for(left: pd.DataFrame, right: pd.DataFrame, columns: Sequence[str] | None = None,
                    encoder: Encoder | None = None, relative: bool = True) -> list[Comparison]:
    """Comparisons chosen from the data types of the columns both tables share (no knowledge of any data set).

    Per text column: exact, four rapidfuzz ratios, token Jaccard, word and character TF-IDF cosine and digit-token
    overlap. Per numeric column: proximity and exactness. Over the whole record (all columns joined): word/character
    TF-IDF, token_set, digits, so evidence in a misplaced or unusual column still counts; with `relative`, these
    (a one-column table: that column's) also give their margins over each record's other pairs. With an encoder, the
    embedding cosine of the whole record and of the wordiest column (>= 3 words on average): one text per record
    each, which keeps a CPU run in minutes.
    """
    cols = [c for c in (columns or [c for c in left.columns if c in right.columns])]
    out: list[Comparison] = []
    wordiest = max(cols, key=lambda c: max(mean_tokens(left[c]), mean_tokens(right[c])), default=None)
    for c in cols:
        kind = column_kind(left[c], right[c])
        if kind == "empty":
            continue
        if kind == "numeric":
            out += [NumericComparison(c), ExactComparison(c)]
            continue
        whole_record = relative and len(cols) == 1  # one column is the whole record: margins on its record methods
        out += [ExactComparison(c)] + [TextComparison(c, m, relative=whole_record and m in RECORD_METHODS)
                                       for m in ("ratio", "token_set", "token_sort", "partial", "jaccard",
                                                 "tfidf_word", "tfidf_char", "digits")]
        if encoder is not None and c == wordiest and max(mean_tokens(left[c]), mean_tokens(right[c])) >= 3:
            out.append(TextComparison(c, "embedding", encoder=encoder))
    if len(cols) > 1:
        whole = dict(name="record", label="whole record")
        for m in RECORD_METHODS:
            out.append(TextComparison(cols, m, name=f"record_{m}", label="whole record", relative=relative))
        if encoder is not None:
            out.append(TextComparison(cols, "embedding", encoder=encoder, relative=relative,
                                      **{**whole, "name": "record_embedding"}))
    return out
