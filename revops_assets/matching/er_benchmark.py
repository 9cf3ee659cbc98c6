"""Entity-resolution benchmark sets in the DeepMatcher / Ditto serialized format, evaluated with the pairwise mode.

A set is a directory with train.txt, valid.txt and test.txt; each line is one candidate pair

    COL <attr> VAL <value> COL <attr> VAL <value> ...<TAB>COL <attr> VAL <value> ...<TAB><label 0|1>

`evaluate_dir` trains on train.txt, picks the decision threshold on valid.txt and reports precision, recall and F1 of
the positive class on test.txt. Records are de-duplicated per side, so a record in many pairs is prepared (parsed,
embedded) once. No setting depends on the set: comparisons come from the column types, weights from train.txt.

The pairs of the three files together are the candidate set (the files split one blocked candidate set at random),
so a whole-record comparison's margin over a record's other candidates (`comparisons.compare`, `relative`) is taken
over all of them, as a deployed matcher sees every candidate of a record; labels are read from train.txt and
valid.txt only. Margins learnt on training pairs mean the same on test pairs only where a record has about as many
candidates in both: `candidate_shift` compares them (no labels), and past `MAX_CANDIDATE_SHIFT` the margins are left
out. On the Magellan sets the ratio is 0.87-1.15; on WDC, whose test pairs were drawn apart from its training
pairs, a test record has 2.2-2.9x the candidates of a training record, and margins cost 2-7 F1 points there.
`independent=True` (`revops eval-er --independent`) never computes them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .comparisons import Encoder, compare, comparisons_for
from .pairwise import fit_pairwise, predict

SPLITS = ("train", "valid", "test")
_FIELD_RE = re.compile(r"COL\s+(\S+)\s+VAL\s?(.*?)(?=\s*COL\s+\S+\s+VAL|\s*$)", re.S)


class FormatError(ValueError):
    """A line that is not in the serialized pair format, with file and line number."""


def parse_record(text: str) -> dict[str, str]:
    """'COL title VAL foo bar COL price VAL 9.99' -> {"title": "foo bar", "price": "9.99"}."""
    return {m.group(1): m.group(2).strip() for m in _FIELD_RE.finditer(text)}


@dataclass
class PairSet:
    """Both sides' distinct records and the labelled pairs of each split (positions into left / right)."""

    left: pd.DataFrame
    right: pd.DataFrame
    pairs: dict[str, pd.DataFrame]  # split -> left_idx, right_idx, label


def read_sets(directory: str | Path) -> PairSet:
    directory = Path(directory)
    lkeys: dict[str, int] = {}
    rkeys: dict[str, int] = {}
    lrecs, rrecs = [], []
    pairs = {}
    for split in SPLITS:
        path = directory / f"{split}.txt"
        if not path.exists():
            raise FormatError(f"{path}: missing (a set needs {', '.join(s + '.txt' for s in SPLITS)})")
        li, ri, ys = [], [], []
        # lines end at "\n" only: str.splitlines() would also split at U+2028 and other separators inside a value
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            line = line.removesuffix("\r")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[2].strip() not in ("0", "1"):
                raise FormatError(f"{path.name} line {n}: expected 'left<TAB>right<TAB>0|1'")
            for text, keys, recs, out in ((parts[0], lkeys, lrecs, li), (parts[1], rkeys, rrecs, ri)):
                key = text.strip()
                if key not in keys:
                    keys[key] = len(recs)
                    recs.append(parse_record(key))
                out.append(keys[key])
            ys.append(int(parts[2]))
        pairs[split] = pd.DataFrame({"left_idx": li, "right_idx": ri, "label": ys})
    columns = list(dict.fromkeys([c for r in lrecs + rrecs for c in r]))
    left = pd.DataFrame(lrecs).reindex(columns=columns)
    right = pd.DataFrame(rrecs).reindex(columns=columns)
    return PairSet(left=left, right=right, pairs=pairs)


def minilm_encoder() -> Encoder:
    """The bundled all-MiniLM-L6-v2 (sentence-transformers) as a texts -> unit vectors function, on CPU."""
    from revops_assets.resources.embedder import Embedder

    emb = Embedder("sentence-transformers", device="cpu", batch_size=64, max_length=64)
    return lambda texts: emb.embed(texts).dense


MAX_CANDIDATE_SHIFT = 1.5


def all_pairs(pairs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The pairs of every split in one frame, with a `split` column."""
    return pd.concat(pairs.values(), keys=list(pairs), names=["split", None]).reset_index(level=0)


def candidate_shift(pairs: dict[str, pd.DataFrame]) -> float:
    """How unlike the test pairs' records are to the training pairs' in their number of candidate pairs (all files
    together): the larger of mean/mean and its inverse, over both sides; 1.0 = alike."""
    every = all_pairs(pairs)
    worst = 1.0
    for side in ("left_idx", "right_idx"):
        counts = every.groupby(side)[side].transform("size")
        train, test = counts[every["split"] == "train"].mean(), counts[every["split"] == "test"].mean()
        if train > 0 and test > 0:
            worst = max(worst, train / test, test / train)
    return float(worst)


def evaluate_dir(directory: str | Path, encoder: Encoder | None = None, seed: int = 0,
                 independent: bool = False) -> dict:
    """Train on train.txt, threshold on valid.txt, precision / recall / F1 on test.txt (and timings)."""
    t0 = time.perf_counter()
    ps = read_sets(directory)
    shift = candidate_shift(ps.pairs)
    relative = not independent and shift <= MAX_CANDIDATE_SHIFT
    comps = comparisons_for(ps.left, ps.right, encoder=encoder, relative=relative)
    for c in comps:
        c.prepare(ps.left, ps.right)
    t_prep = time.perf_counter() - t0
    candidates = all_pairs(ps.pairs)
    values = compare(comps, ps.left, ps.right, candidates["left_idx"], candidates["right_idx"], prepared=True)
    feats = {s: values[(candidates["split"] == s).to_numpy()].reset_index(drop=True) for s in ps.pairs}
    y = {s: p["label"].to_numpy() for s, p in ps.pairs.items()}
    t1 = time.perf_counter()
    model = fit_pairwise(feats["train"], y["train"], feats["valid"], y["valid"], seed=seed)
    pred = predict(model, feats["test"])
    truth = y["test"].astype(bool)
    tp = int((pred & truth).sum())
    precision = tp / max(int(pred.sum()), 1)
    recall = tp / max(int(truth.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "set": Path(directory).name,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "test_pairs": int(len(truth)),
        "test_matches": int(truth.sum()),
        "comparisons": len(comps),
        "pairs_scored": "against each record's other candidates" if relative else "independently",
        "candidate_shift": round(shift, 2),
        "threshold": round(float(model.threshold), 4),
        "model": model.report,
        "seconds": {"prepare": round(t_prep, 1), "fit": round(time.perf_counter() - t1, 1),
                    "total": round(time.perf_counter() - t0, 1)},
    }


def set_dirs(directory: str | Path) -> list[Path]:
    """The directory itself when it holds a set, else every subdirectory that does (sorted by name)."""
    directory = Path(directory)
    if (directory / "train.txt").exists():
        return [directory]
    found = sorted(p for p in directory.iterdir() if p.is_dir() and (p / "train.txt").exists())
    if not found:
        raise FormatError(f"{directory}: no train.txt here or in its subdirectories")
    return found
