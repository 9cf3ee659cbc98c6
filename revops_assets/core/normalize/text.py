"""Text clean-up shared by the core layer: safe strings, accent folding, HTML to text, Odoo translations, and the
exact texts the search layer embeds.

Source text is hostile: Odoo html fields hold broken markup, CRM users paste NULs, zero-width spaces and lone
surrogates that Postgres refuses, and Odoo 16+ stores translatable names as jsonb. Every function here is total
(never raises, None in -> empty/None out) so one odd row cannot fail a batch of 10^5.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

# C0/C1 controls except tab/newline/CR, lone surrogates (unencodable, refused by Postgres) and invisible
# format characters that break equality without changing what a person sees.
_UNSAFE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u200b\u2060\ufeff]")
_SPACES_RE = re.compile(r"\s+")
_INLINE_SPACES_RE = re.compile(r"[^\S\n]+")
_TAG_LIKE_RE = re.compile(r"<[A-Za-z/!?]")
_COMBINING_ACCENTS_RE = re.compile(r"[\u0300-\u036f]")
# Letters that carry no decomposable accent but are "the same letter" to a reader of company names.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "ŧ": "t",
     "ŀ": "l"}
)

DESCRIPTION_MAX_CHARS = 2000  # ACE CustomerBusinessProblem holds at most 2,000 characters


def _as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)


def strip_unsafe(value: Any) -> str:
    """The string without characters Postgres or a person's eye would trip on, whitespace kept as is."""
    return _UNSAFE_RE.sub("", _as_str(value))


def clean_text(value: Any) -> str:
    """One line of safe NFC text, whitespace runs collapsed to one space."""
    text = unicodedata.normalize("NFC", strip_unsafe(value))
    return _SPACES_RE.sub(" ", text).strip()


def clean_multiline(value: Any) -> str:
    """Like clean_text but keeps line breaks: each line collapsed, blank lines dropped."""
    text = unicodedata.normalize("NFC", strip_unsafe(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_INLINE_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def fold(value: Any) -> str:
    """Lowercase without accents or compatibility forms ("Société" -> "societe", "ＡＢＣ" -> "abc", "ß" -> "ss").

    For comparison keys only; letters of non-Latin scripts stay as they are.
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", clean_text(value)).casefold())
    # Special letters after decomposition, so accented ones ("ǽ" -> "æ" + accent) are caught too.
    text = _COMBINING_ACCENTS_RE.sub("", text).translate(_SPECIAL_LETTERS)
    # NFKC can turn a lone diacritic into "space + mark", so whitespace is collapsed again.
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


# ---------------------------------------------------------------------------------------------------------------
# HTML

_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "iframe", "object"})
_LINE_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead", "tbody", "blockquote", "pre",
     "section", "article", "header", "footer", "aside", "nav", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "form"}
)
_CELL_TAGS = frozenset({"td", "th"})


class _TextExtractor(HTMLParser):
    """Collects text, turning block tags into line breaks and skipping script-like content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _LINE_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _LINE_TAGS:  # <br/>, <hr/>; a self-closed <script/> has no content to skip
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _LINE_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            # In HTML a newline inside text is just a space; only tags make lines.
            self.parts.append(_SPACES_RE.sub(" ", data))


def html_to_text(value: Any) -> str:
    """Readable text of an HTML fragment (Odoo html fields): tags stripped, entities unescaped, script/style
    dropped, block tags (<p>, <br>, <li>, ...) as line breaks, whitespace collapsed, blank lines dropped.

    Text without anything tag-like ("a < b", "R&D") is treated as plain text: entities unescaped, its own line
    breaks kept. Not idempotent on escaped markup by design ("&lt;b&gt;" -> "<b>", which a second call strips).
    """
    text = strip_unsafe(value)
    if "<" not in text and "&" not in text:
        return clean_multiline(text)
    if not _TAG_LIKE_RE.search(text):
        return clean_multiline(html.unescape(text))
    try:
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        extracted = "".join(parser.parts)
    except Exception:  # html.parser is lenient but not total on every malformed declaration
        extracted = html.unescape(re.sub(r"<[^>]*>?", " ", text))
    return clean_multiline(strip_unsafe(extracted))


# ---------------------------------------------------------------------------------------------------------------
# Odoo translated (jsonb) fields


def translated_name(value: Any, lang: str = "en_US") -> str | None:
    """The display text of an Odoo 16+ translated field.

    Accepts the jsonb as a dict or JSON text ({"en_US": "Won", "fr_FR": "Gagné"}); picks `lang`, else another
    variant of the same language (fr_BE for fr_FR), else en_US, else the first non-empty value. Plain strings
    (older Odoo, already-resolved names) pass through cleaned. Empty -> None.
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        translations: Mapping = value
    else:
        text = clean_text(value)
        if not text.startswith("{"):
            return text or None
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return text
        if not isinstance(parsed, dict):
            return text
        translations = parsed
    candidates = {str(k): clean_text(v) for k, v in translations.items() if isinstance(v, (str, int, float))}
    candidates = {k: v for k, v in candidates.items() if v}
    if not candidates:
        return None
    if lang in candidates:
        return candidates[lang]
    language = lang.split("_", 1)[0] if lang else ""
    for key, text in candidates.items():
        if language and key.split("_", 1)[0] == language:
            return text
    return candidates.get("en_US") or next(iter(candidates.values()))


# ---------------------------------------------------------------------------------------------------------------
# Texts for the search layer


def identity_text(company_name: Any, domain: Any) -> str:
    """Who the customer is, as embedded: "Acme Corp (acme.com)"; either part alone when the other is missing.

    The raw display name (cleaned) is used rather than the normalized key: the embedding model reads natural text.
    """
    name = clean_text(company_name)
    site = clean_text(domain).lower()
    if name and site:
        return f"{name} ({site})"
    return name or site


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space >= limit * 0.8 else cut).rstrip()


def context_text(
    title: Any, description: Any, use_case: Any = None, industry: Any = None,
    *, max_description_chars: int = DESCRIPTION_MAX_CHARS,
) -> str:
    """What the deal is about, as embedded: title, description (plain text, cut at a word boundary near
    `max_description_chars`), then "Use case: ..." and "Industry: ..." lines; missing parts are left out.

    Pass descriptions already through html_to_text; here line breaks become spaces so formatting noise
    does not change the hash.
    """
    lines = [clean_text(title), _truncate(clean_text(description), max_description_chars)]
    if use := clean_text(use_case):
        lines.append(f"Use case: {use}")
    if sector := clean_text(industry):
        lines.append(f"Industry: {sector}")
    return "\n".join(line for line in lines if line)


def content_hash(text: Any) -> str:
    """sha256 hex of the UTF-8 text (None as ""): the search layer re-embeds a row only when this changes."""
    return hashlib.sha256(_as_str(text).encode("utf-8", "surrogatepass")).hexdigest()
