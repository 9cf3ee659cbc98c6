"""Build BGE-M3-shaped model directories with random weights, because real weights cannot be downloaded here.

A BGE-M3 directory is an XLM-RoBERTa checkpoint (config, weights, tokenizer) plus two head files,
`colbert_linear.pt` and `sparse_linear.pt`. Writing the same layout with random weights lets the real
FlagEmbedding loading and encoding code run: tiny for tests, full size (`XLM_ROBERTA_LARGE`) for the CPU
benchmark, where only speed matters.

The tokenizer is handed to `transformers.XLMRobertaTokenizer` as a `(piece, score)` list, either trained in
memory with sentencepiece (tests) or derived from a bundled English WordPiece vocab (benchmark): the protobuf
route (transformers' converter reading a `.model` file) needs a protobuf version that clashes with Dagster's.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# BGE-M3 = XLM-RoBERTa-large with 8192-token positions (its config.json).
XLM_ROBERTA_LARGE: dict[str, Any] = dict(
    num_hidden_layers=24,
    hidden_size=1024,
    num_attention_heads=16,
    intermediate_size=4096,
    max_position_embeddings=8194,
    vocab_size=250002,
)
TINY: dict[str, Any] = dict(
    num_hidden_layers=2, hidden_size=32, num_attention_heads=2, intermediate_size=64, max_position_embeddings=514
)
ARCHS: dict[str, dict[str, Any]] = {"xlm-roberta-large": XLM_ROBERTA_LARGE, "tiny": TINY}

SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>")


def train_sentencepiece_vocab(
    corpus: Iterable[str], vocab_size: int = 400, repeat: int = 20
) -> list[tuple[str, float]]:
    """Train a unigram sentencepiece model in memory and return its XLM-R style `(piece, score)` vocab.

    The layout follows transformers' `XLMRobertaConverter`: `<s> <pad> </s> <unk>` first, then the trained pieces
    without sentencepiece's own specials, then `<mask>`. `hard_vocab_limit=False` lets a small corpus stop below
    `vocab_size` instead of failing.
    """
    import sentencepiece as spm

    sentences = [s for s in corpus if s.strip()] * repeat
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type="unigram",
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
    )
    processor = spm.SentencePieceProcessor(model_proto=buffer.getvalue())
    pieces = [
        (processor.id_to_piece(i), float(processor.get_score(i)))
        for i in range(processor.get_piece_size())
        if not (processor.is_control(i) or processor.is_unknown(i))
    ]
    return [(p, 0.0) for p in SPECIAL_PIECES] + pieces + [("<mask>", 0.0)]


def build_xlm_roberta_tokenizer(vocab: list[tuple[str, float]], model_max_length: int = 512):
    """Wrap a `(piece, score)` vocab as transformers 5's tokenizers-backed `XLMRobertaTokenizer`."""
    from transformers import XLMRobertaTokenizer

    return XLMRobertaTokenizer(vocab=vocab, model_max_length=model_max_length)


def save_m3_heads(model_dir: Path, hidden_size: int, seed: int = 0, sparse_bias: float = 0.5) -> None:
    """Write `colbert_linear.pt` and `sparse_linear.pt` as BGEM3FlagModel loads them.

    The sparse head's bias is positive so that random weights still give tokens a positive weight (BGE-M3 keeps
    only `relu(w) > 0`), so lexical weights are non-empty and their cost is measured.
    """
    import torch

    torch.manual_seed(seed)
    colbert = torch.nn.Linear(hidden_size, hidden_size)
    sparse = torch.nn.Linear(hidden_size, 1)
    with torch.no_grad():
        sparse.weight.mul_(0.1)
        sparse.bias.fill_(sparse_bias)
    torch.save(colbert.state_dict(), model_dir / "colbert_linear.pt")
    torch.save(sparse.state_dict(), model_dir / "sparse_linear.pt")


def build_bge_m3_like_model(
    model_dir: str | Path,
    vocab: list[tuple[str, float]],
    *,
    num_hidden_layers: int,
    hidden_size: int,
    num_attention_heads: int,
    intermediate_size: int,
    max_position_embeddings: int,
    vocab_size: int | None = None,
    seed: int = 0,
) -> Path:
    """Save a random XLM-RoBERTa, its tokenizer and the M3 heads into `model_dir`; return the directory.

    `vocab_size` may exceed the tokenizer's vocab (BGE-M3's 250002 rows cost memory and time even if ids above
    the tokenizer's are never produced); it defaults to the tokenizer's size.
    """
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    # XLM-R positions start after padding_idx (1): max tokens = positions - 2.
    tokenizer = build_xlm_roberta_tokenizer(vocab, model_max_length=max_position_embeddings - 2)
    config = XLMRobertaConfig(
        vocab_size=max(vocab_size or 0, len(tokenizer)),
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=num_attention_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_position_embeddings,
        type_vocab_size=1,
        bos_token_id=tokenizer.bos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    model = XLMRobertaModel(config)
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    save_m3_heads(model_dir, hidden_size, seed=seed)
    return model_dir


def english_subword_vocab() -> list[tuple[str, float]]:
    """A ~78k-piece XLM-R style vocab from the WordPiece vocab bundled with all-MiniLM-L6-v2 (no download).

    A sentencepiece model trained on a small corpus caps at a few hundred pieces and cuts English into ~2x more
    tokens than a real tokenizer, which would make a speed benchmark pessimistic. Here every WordPiece entry
    becomes a unigram piece ("foo" -> "▁foo", "##bar" -> "bar"), in lower, Capitalised and UPPER case because the
    XLM-R tokenizer has no lowercasing step, all with the same score so that segmentation uses the fewest pieces.
    On the benchmark's texts this gives within 2% of MiniLM's own token count.
    """
    from revops_assets.resources.embedder import default_minilm_path

    pieces: dict[str, float] = {"▁": -1.0}
    for line in (default_minilm_path() / "vocab.txt").read_text(encoding="utf-8").splitlines():
        if not line or (line.startswith("[") and line.endswith("]")):
            continue
        if line.startswith("##"):
            variants = [line[2:], line[2:].upper()]
        else:
            variants = ["▁" + line, "▁" + line.capitalize(), "▁" + line.upper()]
            if len(line) == 1:
                variants += [line, line.upper()]
        for piece in variants:
            pieces.setdefault(piece, -1.0)
    return [(p, 0.0) for p in SPECIAL_PIECES] + list(pieces.items()) + [("<mask>", 0.0)]


def build_arch(model_dir: str | Path, arch: str, vocab: list[tuple[str, float]] | None = None, seed: int = 0) -> Path:
    """`build_bge_m3_like_model` with a named architecture from `ARCHS` (default vocab: `english_subword_vocab`)."""
    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; expected one of {', '.join(ARCHS)}")
    vocab = vocab if vocab is not None else english_subword_vocab()
    return build_bge_m3_like_model(model_dir, vocab, seed=seed, **ARCHS[arch])
