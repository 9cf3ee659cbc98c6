"""The pairwise mode: comparisons chosen from the data, a learned combination, `revops eval-er` on a small set in
the DeepMatcher / Ditto format, and `score_pairs` with a linkage spec. No database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revops_assets import cli
from revops_assets.matching.comparisons import (
    NumericComparison, TextComparison, best_of_others, column_kind, compare, comparisons_for, parse_number,
)
from revops_assets.matching.er_benchmark import FormatError, evaluate_dir, parse_record, read_sets


@pytest.mark.parametrize(("text", "value"), [
    ("$1,299.00", 1299.0), ("8.10 %", 8.1), ("1.2k", 1200.0), ("$ 1 . 29", 1.29), ("EUR 12.345,50", 12345.5),
    ("no number", None), (None, None), (42, 42.0), ("5.4.3,2.1", None),
])
def test_prices_and_quantities_parse(text, value):
    got = parse_number(text)
    assert (np.isnan(got) if value is None else got == pytest.approx(value))


def test_column_kinds_and_comparisons_come_from_the_data():
    left = pd.DataFrame({"title": ["sony bravia kd55x80 tv", "apple ipad air"], "price": ["$1,299.00", "$499.99"],
                         "empty": [None, None]})
    right = pd.DataFrame({"title": ["kd55x80 bravia sony", "ipad air 64gb"], "price": ["1299", "520.00"],
                          "empty": [None, ""]})
    assert column_kind(left["price"], right["price"]) == "numeric"
    assert column_kind(left["title"], right["title"]) == "text"
    assert column_kind(left["empty"], right["empty"]) == "empty"
    comps = comparisons_for(left, right)
    names = {c.name for c in comps}
    assert {"price_prox", "title_tfidf_word", "title_digits", "record_tfidf_char"} <= names
    assert not any(n.startswith("empty") for n in names)
    values = compare(comps, left, right, [0, 0, 1], [0, 1, 1])
    assert values.loc[0, "price_prox"] == pytest.approx(1.0) and values.loc[2, "price_prox"] > 0.9
    assert values.loc[0, "title_digits"] == 1.0 and values.loc[1, "title_digits"] == 0.0
    assert values.loc[0, "title_tfidf_word"] > values.loc[1, "title_tfidf_word"]


def test_text_comparison_rejects_unknown_methods():
    with pytest.raises(ValueError, match="unknown text method"):
        TextComparison("title", "soundex")
    assert NumericComparison("price", left_scale=12).name == "price_prox"


def _write_set(directory, seed: int = 0, n: int = 120) -> None:
    """A small product-matching set: the same item described twice with noise, against other items."""
    rng = np.random.default_rng(seed)
    brands = ["sony", "apple", "lenovo", "dell", "samsung", "canon", "nikon", "bose"]
    kinds = ["camera", "laptop", "tv", "headphones", "tablet", "printer"]
    items = [(str(rng.choice(brands)), str(rng.choice(kinds)), f"{rng.choice(list('abcxyz'))}{rng.integers(100, 999)}",
              float(rng.integers(50, 2000))) for _ in range(n)]

    def ser(brand, kind, model, price, noisy):
        title = f"{brand} {kind} {model}" if not noisy else f"{model} {kind} by {brand} new"
        return f"COL title VAL {title} COL brand VAL {brand} COL price VAL ${price * (1.05 if noisy else 1):,.2f}"

    for split, lo, hi in (("train", 0, 70), ("valid", 70, 95), ("test", 95, n)):
        lines = []
        for i in range(lo, hi):
            b, k, m, p = items[i]
            lines.append(f"{ser(b, k, m, p, False)}\t{ser(b, k, m, p, True)}\t1")
            for j in rng.choice([x for x in range(lo, hi) if x != i], 3, replace=False):
                b2, k2, m2, p2 = items[j]
                lines.append(f"{ser(b, k, m, p, False)}\t{ser(b2, k2, m2, p2, True)}\t0")
        (directory / f"{split}.txt").write_text("\n".join(lines) + "\n")


def test_eval_er_learns_a_small_set(tmp_path, capsys):
    _write_set(tmp_path)
    ps = read_sets(tmp_path)
    assert list(ps.left.columns) == ["title", "brand", "price"] and ps.pairs["train"]["label"].sum() == 70
    result = evaluate_dir(tmp_path)
    assert result["f1"] >= 0.9 and result["test_matches"] == 25, result
    assert result["model"]["threshold_from"] == "valid"
    assert cli.main(["eval-er", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert tmp_path.name in out and "F1" in out


def test_a_relative_comparison_gives_each_pair_its_margin_over_the_records_other_pairs():
    left = pd.DataFrame({"title": ["sony kd55x80 tv", "apple ipad air"]})
    right = pd.DataFrame({"title": ["sony kd55x80 tv black", "samsung qled tv 65", "ipad air 64gb"]})
    comp = TextComparison("title", "token_sort", relative=True)
    values = compare([comp], left, right, [0, 0, 1], [0, 1, 2])
    v = values["title_token_sort"].to_numpy()
    assert v[0] > v[1]  # record 0's best candidate is ahead by the difference, the other behind by it
    assert values["title_token_sort_margin_left"].iloc[0] == pytest.approx(v[0] - v[1])
    assert values["title_token_sort_margin_left"].iloc[1] == pytest.approx(v[1] - v[0])
    assert np.isnan(values["title_token_sort_margin_left"].iloc[2])  # record 1 has no other candidate
    assert values["title_token_sort_margin_right"].isna().all()  # each right record is in one pair
    # two pairs sharing the top: neither is ahead of the other
    np.testing.assert_allclose(best_of_others(np.array([0.9, 0.9, 0.2, 0.5]), np.array([7, 7, 7, 8])),
                               [0.9, 0.9, 0.9, np.nan])
    assert "title_token_sort_margin_left" not in compare([TextComparison("title", "token_sort")], left, right,
                                                         [0, 0], [0, 1])


def _write_variant_set(directory, seed: int = 0, n: int = 160, note: bool = True) -> None:
    """Records whose true twin is only their *closest* candidate: each left record is copied with k of 8 words
    replaced (k from 0 to 4, varying per record) as its twin, and with k + 2 replaced as three look-alikes, so a
    noisy record's twin is less similar than a clean record's look-alikes."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(3000)]

    def noisy(words, k):
        out = list(words)
        for j in rng.choice(len(out), k, replace=False):
            out[j] = str(rng.choice(vocab))
        return " ".join(out)

    for split, lo, hi in (("train", 0, 100), ("valid", 100, 130), ("test", 130, n)):
        lines = []
        for _ in range(lo, hi):
            words, k = [str(w) for w in rng.choice(vocab, 8, replace=False)], int(rng.integers(0, 5))
            tail = " COL note VAL x" if note else ""
            record = f"COL name VAL {' '.join(words)}{tail}"
            lines.append(f"{record}\tCOL name VAL {noisy(words, k)}{tail}\t1")
            lines += [f"{record}\tCOL name VAL {noisy(words, k + 2)}{tail}\t0" for _ in range(3)]
        (directory / f"{split}.txt").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("note", [True, False], ids=["whole record of two columns", "one column"])
def test_eval_er_finds_twins_that_are_only_the_closest_candidate(tmp_path, note):
    _write_variant_set(tmp_path, note=note)
    relative, alone = evaluate_dir(tmp_path), evaluate_dir(tmp_path, independent=True)
    assert relative["pairs_scored"] != alone["pairs_scored"]
    assert relative["f1"] >= 0.9 and relative["f1"] >= alone["f1"] + 0.1, (relative, alone)


def test_margins_are_left_out_when_test_records_have_other_numbers_of_candidates(tmp_path):
    from revops_assets.matching.er_benchmark import candidate_shift

    _write_variant_set(tmp_path)
    assert candidate_shift(read_sets(tmp_path).pairs) == pytest.approx(1.0)  # four candidates per record everywhere
    # test records drawn apart, each with 16 candidates (as WDC's test pairs): margins learnt on 4 would mislead
    lines = (tmp_path / "test.txt").read_text().splitlines()
    (tmp_path / "test.txt").write_text("\n".join(lines + [ln for ln in lines if ln.endswith("0")] * 4) + "\n")
    assert candidate_shift(read_sets(tmp_path).pairs) > 2
    result = evaluate_dir(tmp_path)
    assert result["pairs_scored"] == "independently" and result["candidate_shift"] > 2


def test_eval_er_reads_values_holding_unicode_line_separators(tmp_path):
    _write_set(tmp_path)
    with open(tmp_path / "train.txt", "a", encoding="utf-8") as f:  # U+2028 inside a value, as in WDC's offers
        f.write("COL title VAL air jordan 11 \u2028 white COL brand VAL nike COL price VAL $200\t"
                "COL title VAL air jordan 11 white COL brand VAL nike COL price VAL $210\t1\n")
    assert read_sets(tmp_path).pairs["train"]["label"].sum() == 71


def test_eval_er_reports_a_bad_line(tmp_path, capsys):
    _write_set(tmp_path)
    (tmp_path / "valid.txt").write_text("COL a VAL x\tCOL a VAL y\tmaybe\n")
    with pytest.raises(FormatError, match="valid.txt line 1"):
        read_sets(tmp_path)
    assert cli.main(["eval-er", str(tmp_path)]) == 1
    assert "valid.txt line 1" in capsys.readouterr().err
    assert parse_record("COL title VAL a b COL price VAL 9.99") == {"title": "a b", "price": "9.99"}


def test_score_pairs_scores_given_pairs_with_a_spec():
    from revops_assets.matching.engine import score_pairs
    from revops_assets.matching.spec import load_spec
    from revops_assets.matching.synthetic import make_linkage

    data = make_linkage(400, 400, dim=16, seed=3)
    rng = np.random.default_rng(0)
    others = pd.DataFrame({"left_id": data.left["ace_opportunity_id"].sample(300, random_state=1).to_numpy(),
                           "right_id": rng.choice(data.right["odoo_opportunity_id"], 300)})
    given = pd.concat([data.truth, others, pd.DataFrame({"left_id": ["nope"], "right_id": [1]})], ignore_index=True)
    scored = score_pairs(data.left, data.right, given, load_spec())
    assert len(scored) == len(given) - 1  # the unknown id is dropped
    true = scored.head(len(data.truth))["probability"]
    assert true.median() > 0.9 and scored.iloc[len(data.truth):]["probability"].median() < 0.1
