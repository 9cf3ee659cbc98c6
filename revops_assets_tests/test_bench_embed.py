"""The embedding benchmark runs end to end on a tiny random BGE-M3 and prints a table."""

from __future__ import annotations

from revops_assets.bench.embed import format_table, main, opportunity_texts, run_embed_bench
from revops_assets.bench.random_model import english_subword_vocab


def test_opportunity_texts_are_deterministic_and_sized():
    texts = opportunity_texts(20, seed=3)
    assert texts == opportunity_texts(20, seed=3) and texts != opportunity_texts(20, seed=4)
    assert all(50 <= len(t.split()) <= 170 for t in texts)  # description 50-150 words plus company and title


def test_english_vocab_covers_the_texts_without_unknowns():
    from revops_assets.bench.random_model import build_xlm_roberta_tokenizer

    tokenizer = build_xlm_roberta_tokenizer(english_subword_vocab())
    ids = tokenizer(opportunity_texts(8))["input_ids"]
    assert all(tokenizer.unk_token_id not in row for row in ids)
    words = sum(len(t.split()) for t in opportunity_texts(8))
    assert 1.0 < sum(map(len, ids)) / words < 1.6  # real tokenizers give ~1.3 tokens per English word


def test_bench_rows_on_a_tiny_random_model():
    rows = run_embed_bench(["bge-m3"], [4, 8], 8, arch="tiny", random_weights=True, device="cpu")
    assert [r["batch_size"] for r in rows] == [4, 8]
    for row in rows:
        assert row["model"] == "bge-m3:tiny (random weights)" and row["device"] == "cpu fp32"
        assert row["dim"] == 32 and row["tokens"] > 8 * 50
        assert row["texts_per_s"] > 0 and row["tokens_per_s"] > 0 and row["forward_ms_per_batch"] > 0
    assert "| bge-m3:tiny (random weights) | cpu fp32 | 32 | 4 |" in format_table(rows)


def test_main_prints_a_table(capsys):
    argv = ["--backend", "bge-m3", "--arch", "tiny", "--random-weights", "--n-texts", "4", "--batch-sizes", "4"]
    assert main(argv) == 0
    assert "texts_per_s" in capsys.readouterr().out
