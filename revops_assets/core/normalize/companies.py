"""Company-name normalization: the same customer is typed differently in Odoo and in ACE.

"Amazon Web Services, Inc.", "AMAZON WEB SERVICES INC" and "amazon web services" must compare equal, and so must
"Société Générale S.A." and "Societe Generale". Two levels:

- normalize_company_name: folded case and accents, punctuation gone, "&" -> "and", legal forms of many countries
  removed from the ends ("S.A. de C.V.", "GmbH & Co. KG", "Pty Ltd", "株式会社"). Words are kept, so it is the input
  of fuzzy similarity (rapidfuzz) and what a reviewer reads.
- company_key: a blocking key, stricter and lossier: also drops descriptive trailing words (Group, Holdings,
  Stores, Systems, ...) and every space and hyphen, so "Wal-Mart Stores Inc." and "Walmart" share "walmart".
  Trade-off: it merges some distinct companies ("Acme Systems" and "Acme Solutions" both give "acme"), which is
  fine for proposing candidates (every candidate is still scored) but not for deciding a match on its own.
  "services" is not dropped: it carries meaning in names such as "Amazon Web Services".

The legal-form lists are data: the GLEIF ISO 20275 Entity Legal Forms list (data/gleif_legal_forms.csv, 3,600
active forms of 118 countries, local and transliterated names and abbreviations: "Aktiengesellschaft", "Kabushiki
Kaisha", "Sp. z o.o.") plus data/company_legal_suffixes.yaml (forms people write that GLEIF lacks, prefixes, glued
CJK forms, descriptive words). From GLEIF, words that are also ordinary names of things ("Trust", "Foundation",
"Region") or tiny ambiguous tokens ("is", "ii") are left out (`gleif_excluded` in the YAML): a trailing "Trust" is
more often part of a bank's name than its legal form. A name made only of such words keeps its last word ("The
Company" -> "company"); only a name without letters or digits normalizes to "".

Transliteration (`transliterate`, anyascii): company_key is ASCII, so "ООО Ромашка" and "Romashka LLC" share a
blocking key; normalize_company_name keeps the script a reviewer reads. Kanji are read as Chinese (吉田 -> "jitian",
not "yoshida"); `japanese_reading` (pykakasi) gives the Japanese one, which matching compares beside it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from revops_assets.core.normalize._data import load_yaml
from revops_assets.core.normalize.text import fold

_LETTER = r"[^\W\d_]"
# Dotted initialisms: "s.a.", "s. a.", "u.s.a", "k.k." -> joined letters ("sa", "usa", "kk").
_INITIALISM_RE = re.compile(rf"(?<![\w.]){_LETTER}(?:\.\s?{_LETTER}(?!\w))+\.?")
# Slashed legal forms: "a/s", "s/a" -> "as", "sa".
_SLASHED_RE = re.compile(rf"(?<!\w)({_LETTER})/({_LETTER})(?!\w)")
_APOSTROPHES_RE = re.compile(r"['’‘`´]")
_PUNCTUATION_RE = re.compile(r"[\W_]+")
_MAX_PASSES = 4


def gleif_forms(excluded: set[str]) -> tuple[list[str], list[str]]:
    """(legal-form phrases, glued affixes) from data/gleif_legal_forms.csv: every local and transliterated name and
    abbreviation, except those starting with a word in `excluded` and single characters; forms in scripts written
    without spaces (CJK, >= 3 characters) become affixes."""
    import csv

    from revops_assets.settings import data_dir

    phrases, affixes = set(), set()
    with (data_dir() / "gleif_legal_forms.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            values = [row["local_name"], row["transliterated_name"]]
            for col in ("abbreviations_local", "abbreviations_transliterated"):
                values += row[col].split(";")
            for v in values:
                folded = fold(v).strip()
                words = _punctuation_free(folded).split()
                if not words:
                    continue
                if len(words) == 1 and not words[0].isascii() and not _has_spaced_script(words[0]):
                    if len(words[0]) >= 3:
                        affixes.add(words[0])
                    continue
                if (len(words) == 1 and len(words[0]) < 2) or words[0] in excluded:
                    continue  # "Trust", and "Trust Corporation" too: "Northern Trust Corporation" keeps "trust"
                phrases.add(" ".join(words))
    return sorted(phrases), sorted(affixes)


def _has_spaced_script(word: str) -> bool:
    """Latin, Cyrillic, Greek, ...: scripts whose words are separated by spaces (no CJK, kana or hangul)."""
    return not any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"
                   for ch in word)


class _Lists:
    """The legal-form lists, folded like the names they are compared with."""

    def __init__(self, raw: dict) -> None:
        def phrases(key: str) -> list[tuple[str, ...]]:
            return [tuple(_punctuation_free(fold(entry)).split()) for entry in raw.get(key) or []]

        excluded = {fold(w) for w in raw.get("gleif_excluded") or []}
        gleif_phrases, gleif_affixes = gleif_forms(excluded)
        by_last: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases("suffixes") + [tuple(p.split()) for p in gleif_phrases]:
            if phrase:
                by_last.setdefault(phrase[-1], []).append(phrase)
        # Longest first so "sa de cv" wins over "de cv" and "cv".
        self.suffixes_by_last = {k: sorted(set(v), key=len, reverse=True) for k, v in by_last.items()}
        self.prefixes = frozenset(p[0] for p in phrases("prefixes") if len(p) == 1)
        affixes = [fold(a) for a in raw.get("affixes") or []] + gleif_affixes
        self.bracketed_affixes = tuple(a for a in affixes if _PUNCTUATION_RE.search(a))
        self.word_affixes = tuple(sorted((a for a in affixes if not _PUNCTUATION_RE.search(a)), key=len, reverse=True))
        self.generic_words = frozenset(fold(w) for w in raw.get("generic_trailing_words") or [])


@lru_cache(maxsize=1)
def _lists() -> _Lists:
    return _Lists(load_yaml("company_legal_suffixes.yaml"))


def _punctuation_free(text: str) -> str:
    text = text.replace("&", " and ")
    text = _INITIALISM_RE.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", text)
    text = _SLASHED_RE.sub(r"\1\2", text)
    text = _APOSTROPHES_RE.sub("", text)
    return _PUNCTUATION_RE.sub(" ", text).strip()


def _strip_affix_tokens(tokens: list[str], lists: _Lists) -> bool:
    """Removes a space-less legal form ("株式会社") glued to the first or last word; True if anything changed."""
    for affix in lists.word_affixes:
        first, last = tokens[0], tokens[-1]
        if first.startswith(affix) and (len(first) > len(affix) or len(tokens) > 1):
            rest = first[len(affix):]
            tokens[:1] = [rest] if rest else []
            return True
        if last.endswith(affix) and (len(last) > len(affix) or len(tokens) > 1):
            rest = last[: -len(affix)]
            tokens[-1:] = [rest] if rest else []
            return True
    return False


def _strip_legal_forms(tokens: list[str], lists: _Lists) -> list[str]:
    changed = True
    while changed and tokens:
        changed = False
        if len(tokens) > 1 and tokens[0] in lists.prefixes:
            del tokens[0]
            changed = True
            continue
        for phrase in lists.suffixes_by_last.get(tokens[-1], ()):
            n = len(phrase)
            if len(tokens) > n and tuple(tokens[-n:]) == phrase:
                del tokens[-n:]
                changed = True
                break
        if not changed:
            changed = _strip_affix_tokens(tokens, lists)
    return tokens


def _one_pass(text: str, lists: _Lists) -> str:
    text = fold(text)
    for affix in lists.bracketed_affixes:  # "(株)", "(주)" are legal markers wherever they stand
        text = text.replace(affix, " ")
    tokens = _punctuation_free(text).split()
    return " ".join(_strip_legal_forms(tokens, lists))


@lru_cache(maxsize=200_000)
def _normalize_cached(text: str) -> str:
    lists = _lists()
    result = _one_pass(text, lists)
    # Removing one form can expose another to an earlier step; repeat until stable so the function is idempotent.
    for _ in range(_MAX_PASSES):
        again = _one_pass(result, lists)
        if again == result:
            break
        result = again
    return result


def normalize_company_name(name: Any) -> str:
    """Comparable company name: "Société Générale S.A." -> "societe generale"; None -> ""."""
    if name is None:
        return ""
    try:
        return _normalize_cached(name if isinstance(name, str) else str(name))
    except Exception:  # total by contract: odd objects (failing __str__) give ""
        return ""


def _key_once(normalized: str, lists: _Lists) -> str:
    tokens = normalized.split()
    while len(tokens) > 1 and tokens[-1] in lists.generic_words:
        tokens.pop()
        _strip_legal_forms(tokens, lists)  # "Foo Ltd Group": the legal form shows once "group" is gone
    kept = [t for t in tokens if t != "and"]
    return "".join(kept or tokens)


@lru_cache(maxsize=200_000)
def _key_cached(normalized: str) -> str:
    lists = _lists()
    result = _key_once(normalized, lists)
    for _ in range(_MAX_PASSES):  # stable under its own normalization, like normalize_company_name
        again = _key_once(_normalize_cached(result), lists)
        if again == result:
            break
        result = again
    return result


def transliterate(text: str) -> str:
    """ASCII letters for any script (anyascii), lower-cased: "Ромашка" -> "romashka", "トヨタ" -> "toyota"."""
    from anyascii import anyascii

    return anyascii(text).lower() if text and not text.isascii() else text


# kana, and the CJK ideographs (kanji / hanzi)
_JAPANESE_SCRIPT_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def japanese_reading(text: Any) -> str | None:
    """The Hepburn reading of a name written in kanji or kana, lower-cased, long vowels written short as company
    names write them in Latin letters: "佐藤工業" -> "sato kogyo", "林ソフト" -> "hayashi sofuto", "吉田 Real Estate"
    -> "yoshida real estate"; None when the text has neither. Kanji alone are ambiguous (anyascii reads them as
    Chinese: 吉田 -> "jitian"), so callers compare this reading beside `transliterate`'s and keep the better."""
    if not text or not _JAPANESE_SCRIPT_RE.search(str(text)):
        return None
    reading = " ".join(item["hepburn"] for item in _kakasi().convert(str(text)))
    reading = " ".join(reading.lower().split())
    return re.sub(r"uu", "u", re.sub(r"o[ou]", "o", reading))  # Satō / Satou -> Sato, Ōno / Oono -> Ono


def company_key(name: Any) -> str:
    """Blocking key: normalize_company_name without descriptive trailing words, "and", spaces or hyphens, in ASCII.

    "Wal-Mart Stores Inc." -> "walmart", "AT&T" -> "att", "ООО Ромашка" -> "romashka"; None -> "".
    """
    key = _key_cached(normalize_company_name(name))
    if key.isascii():
        return key
    return _key_cached(_normalize_cached(_punctuation_free(transliterate(key))))
