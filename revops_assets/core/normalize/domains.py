"""Web domains from websites and e-mail addresses: the strongest company identifier two CRMs share.

"https://www.Example.co.uk/about", "info@example.co.uk" and "shop.example.co.uk:8080" all name the company
example.co.uk, so everything is reduced to the registrable domain (one label below the public suffix). The
public-suffix list is a small offline subset (data/public_suffixes.txt) of the multi-label suffixes where
companies register (co.uk, com.au, co.jp, ...); `tldextract` is not a dependency and, with its bundled snapshot,
would only add exotic private suffixes.

Free-mail providers (gmail.com, yahoo.*, ...) are excluded by company_domain: an address there says nothing
about the employer. Internationalized names come back in their ASCII (punycode) form, as DNS stores them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from revops_assets.core.normalize._data import load_words
from revops_assets.core.normalize.text import clean_text

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_EMAIL_HOST_END_RE = re.compile(r"[/?#:>\s,;)\]\"']")
_WRAPPERS = "<>()[]{}\"'`,;"


@lru_cache(maxsize=1)
def _public_suffixes() -> frozenset[str]:
    return frozenset(load_words("public_suffixes.txt"))


@lru_cache(maxsize=1)
def _free_mail() -> tuple[frozenset[str], frozenset[str]]:
    """(exact domains, brands matched under any public suffix)."""
    exact, brands = set(), set()
    for entry in load_words("free_mail_domains.txt"):
        entry = entry.lower()
        if entry.endswith(".*"):
            brands.add(entry[:-2])
        else:
            exact.add(entry)
    return frozenset(exact), frozenset(brands)


def _pick_token(text: str) -> str:
    """The piece that looks like an address: the first with "@", else the first with "."
    ("J. Doe <jane@x.com>" -> "jane@x.com")."""
    tokens = [token.strip(_WRAPPERS) for token in text.split()]
    return next((t for t in tokens if "@" in t), None) or next((t for t in tokens if "." in t), "")


def _host_of(text: str) -> str | None:
    text = _pick_token(text)
    if text.startswith("mailto:"):
        text = text[len("mailto:"):]
    if "://" in text:
        return urlsplit(text).hostname
    at = text.find("@")
    if at > 0 and "/" not in text[:at] and text.find(".", at) > at:
        return _EMAIL_HOST_END_RE.split(text.rsplit("@", 1)[1], maxsplit=1)[0]
    return urlsplit("//" + text).hostname


def registrable_domain(host: str) -> str | None:
    """The registrable part of a valid lowercase ASCII host name, None for invalid hosts or bare public suffixes."""
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253 or not _TLD_RE.match(labels[-1]):
        return None
    if not all(_LABEL_RE.match(label) for label in labels):
        return None
    suffixes = _public_suffixes()
    suffix_len = 1
    for n in range(min(len(labels), 3), 1, -1):  # longest multi-label suffix first
        if ".".join(labels[-n:]) in suffixes:
            suffix_len = n
            break
    if len(labels) <= suffix_len:
        return None
    return ".".join(labels[-(suffix_len + 1):])


@lru_cache(maxsize=200_000)
def _extract_cached(text: str) -> str | None:
    try:
        host = _host_of(text.lower())
        if not host:
            return None
        host = host.strip(".")
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
        return registrable_domain(host.lower())
    except (ValueError, UnicodeError):  # malformed IPv6 brackets, over-long IDNA labels, ...
        return None


def extract_domain(value: Any) -> str | None:
    """Registrable web domain of a website URL, bare host or e-mail address; None when there is none.

    Scheme, userinfo, "www." and other subdomains, port, path, query, fragment, case and trailing dots are
    dropped: "http://shop.example.com:8080/x" -> "example.com", "info@example.co.uk" -> "example.co.uk".
    IP addresses, single-label hosts and bare public suffixes give None.
    """
    text = clean_text(value)
    if not text:
        return None
    return _extract_cached(text)


def is_free_mail_domain(domain: Any) -> bool:
    """True for mailbox providers (gmail.com, yahoo.co.uk, gmx.de, ...); accepts a domain, URL or e-mail address."""
    registrable = extract_domain(domain)
    if registrable is None:
        return False
    exact, brands = _free_mail()
    return registrable in exact or registrable.split(".", 1)[0] in brands


def company_domain(website: Any, email: Any = None) -> str | None:
    """The domain that identifies the customer: the website's, else the e-mail's; free-mail domains never count."""
    for value in (website, email):
        domain = extract_domain(value)
        if domain and not is_free_mail_domain(domain):
            return domain
    return None
