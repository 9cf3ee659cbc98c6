"""Deterministic synthetic left/right record sets with a known truth, for tests, learning checks and the benchmark.

Shaped like the ACE (left) and Odoo (right) core tables the default spec reads, with the difficulties of the real
data: company-name variants and typos, several deals per company (hard negatives: same company, other deal), sibling
companies with similar names, ACE deals with no Odoo deal and Odoo deals never registered in ACE, keys that are
present only sometimes (CRM id, AWS account, domain), a few stale CRM ids, monthly vs total amounts, shifted close
dates, creation dates (the ACE registration days after the Odoo deal opened), lagging stages, and embeddings:
company identity vectors shared by a company's deals, deal context vectors correlated within a company, each side
seeing its own noisy copy.

`noisy=True` makes several fields misleading in ways the hand-set weights do not expect (close dates shifted by
months, amounts unrelated, titles rewritten, regional domains, stages out of sync), which is where learning the
weights from labels should pay off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# ~1,500 syllables (onset + vowel + optional coda), so character 3-grams of names are as varied as real ones.
_SYL = tuple(
    o + v + c
    for o in ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr",
              "dr", "gr", "kr", "pr", "tr", "st", "sp", "ch", "sh", "th")
    for v in ("a", "e", "i", "o", "u", "ai", "ou")
    for c in ("", "n", "r", "l", "s", "x", "m")
)
_INDUSTRY = ("logistics", "health", "systems", "labs", "foods", "energy", "capital", "retail", "media", "software",
             "analytics", "pharma", "mobility", "finance", "robotics", "insurance", "travel", "games")
_WORKLOAD = ("sap", "data lake", "eks platform", "contact center", "ml pipeline", "windows", "backup", "analytics",
             "ecommerce", "genai assistant", "vmware", "disaster recovery", "landing zone", "cost optimisation",
             "iot telemetry", "erp", "data warehouse", "serverless api", "mainframe", "hpc cluster")
_ACTION = ("migration", "modernization", "poc", "phase 2", "rollout", "expansion", "assessment", "map", "renewal",
           "build", "optimization", "launch")
_TLD = ("com", "io", "net", "co", "ai")
_REGION = ("de", "fr", "co.uk", "es", "it")
_ACE_OPEN = ("Prospect", "Qualified", "Technical Validation", "Business Validation", "Committed")
_ODOO_OPEN = ("New", "Qualified", "Proposition")


@dataclass
class SyntheticLinkage:
    left: pd.DataFrame  # ACE-like
    right: pd.DataFrame  # Odoo-like
    truth: pd.DataFrame  # left_id, right_id


def _unit(rng: np.random.Generator, n: int, dim: int, common: float = 0.8) -> np.ndarray:
    """Random unit vectors sharing a common direction, so unrelated ones have cosine ~0.4 as real text embeddings
    do (isotropic random vectors would be ~0 and make nearest-neighbour search look easier than it is)."""
    mu = rng.standard_normal(dim).astype(np.float32)
    mu /= np.linalg.norm(mu)
    v = rng.standard_normal((n, dim), dtype=np.float32) / np.float32(np.sqrt(dim)) + np.float32(common) * mu
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _noisy_copy(rng: np.random.Generator, base: np.ndarray, sigma: float) -> np.ndarray:
    v = base + np.float32(sigma) * rng.standard_normal(base.shape, dtype=np.float32) / np.float32(np.sqrt(base.shape[1]))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _typo(rng: np.random.Generator, s: str) -> str:
    if len(s) < 4:
        return s
    i = int(rng.integers(1, len(s) - 1))
    op = rng.integers(3)
    if op == 0:
        return s[:i] + s[i + 1 :]  # drop
    if op == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]  # swap
    return s[:i] + s[i] + s[i:]  # double


def _name_variant(rng: np.random.Generator, name: str, heavy: bool) -> str:
    """How the other system spells the same company (normalized names, so no legal suffixes)."""
    words = name.split()
    r = rng.random()
    if r < (0.35 if heavy else 0.2):
        name = _typo(rng, name)
    elif r < (0.5 if heavy else 0.3) and len(words) > 2:
        name = " ".join(words[:-1])  # industry word dropped
    elif r < (0.6 if heavy else 0.38):
        name = name + " " + str(rng.choice(["group", "holdings", "international", "global"]))
    if heavy and rng.random() < 0.2:
        name = _typo(rng, name)
    return name


def _title(rng: np.random.Generator, company: str) -> str:
    w, a = rng.choice(_WORKLOAD), rng.choice(_ACTION)
    return f"{company.split()[0]} {w} {a}" if rng.random() < 0.5 else f"{w} {a}"


def _title_variant(rng: np.random.Generator, title: str, rewrite: bool) -> str:
    if rewrite:
        return f"{rng.choice(_WORKLOAD)} {rng.choice(_ACTION)} aws"
    words = title.split()
    r = rng.random()
    if r < 0.3:
        rng.shuffle(words)
    elif r < 0.5 and len(words) > 2:
        words = words[1:]
    elif r < 0.65:
        words = words + ["aws"]
    return " ".join(words)


def _sparse(rng: np.random.Generator, text: str) -> dict[str, float]:
    """BGE-M3-like lexical weights: a weight per distinct token, roughly stable per token."""
    out = {}
    for tok in sorted(set(text.split())):
        base = 0.15 + (sum(map(ord, tok)) % 17) / 17 * 0.2  # deterministic, unlike hash()
        out[tok] = round(float(base * rng.uniform(0.8, 1.2)), 4)
    return out


def make_linkage(
    n_left: int = 1000,
    n_right: int = 1000,
    match_rate: float = 0.7,
    dim: int = 64,
    seed: int = 0,
    noisy: bool = False,
) -> SyntheticLinkage:
    """Left (ACE-like) and right (Odoo-like) tables plus the truth; same arguments give the same data."""
    rng = np.random.default_rng(seed)
    n_matched = min(int(round(match_rate * n_left)), n_right)
    n_comp = max(n_right // 2, 1)
    n_extra_comp = max((n_left - n_matched) // 2, 1)
    total_comp = n_comp + n_extra_comp

    # Companies: names (some siblings share a first word), domains, AWS accounts, identity vectors.
    names, domains = [], []
    sibling_of = np.full(total_comp, -1)
    for c in range(total_comp):
        if c > 10 and rng.random() < 0.1:  # sibling of an earlier company: similar name, other company
            sibling_of[c] = int(rng.integers(c))
            first = names[sibling_of[c]].split()[0]
        else:
            first = "".join(rng.choice(_SYL, size=int(rng.integers(2, 4))))
        second = "".join(rng.choice(_SYL, size=2)) if rng.random() < 0.3 else ""
        industry = str(rng.choice(_INDUSTRY))
        name = " ".join(w for w in (first, second, industry) if w)
        names.append(name)
        sib_tag = f"-{industry}" if sibling_of[c] >= 0 else ""  # siblings never share a domain
        domains.append(f"{first}{second}{sib_tag}.{rng.choice(_TLD)}")
    n_accounts = rng.integers(1, 4, total_comp)
    acct_base = rng.integers(10**11, 10**12 - 10, total_comp)
    ident = _unit(rng, total_comp, dim)
    sib = np.flatnonzero(sibling_of >= 0)
    ident[sib] = _noisy_copy(rng, ident[sibling_of[sib]], 1.2)  # similar, not identical, company embedding
    ctx_comp = _unit(rng, total_comp, dim)

    # Right deals: company (skewed: some companies have many deals), title, amount, date, state.
    r_comp = np.minimum((n_comp * rng.random(n_right) ** 1.3).astype(int), n_comp - 1)
    n_deals = n_right + (n_left - n_matched)
    l_extra_comp = np.where(
        rng.random(n_left - n_matched) < 0.5,
        rng.integers(0, n_comp, n_left - n_matched),
        n_comp + rng.integers(0, n_extra_comp, n_left - n_matched),
    )
    deal_comp = np.concatenate([r_comp, l_extra_comp])
    deal_ctx = 0.5 * ctx_comp[deal_comp] + _unit(rng, n_deals, dim)  # a company's deals share some context
    deal_ctx /= np.linalg.norm(deal_ctx, axis=1, keepdims=True)
    titles = [_title(rng, names[c]) for c in deal_comp]
    amount = np.round(np.exp(rng.normal(np.log(60_000), 1.0, n_deals)), 2)
    start = np.datetime64("2024-01-01")
    close = start + rng.integers(0, 900, n_deals).astype("timedelta64[D]")
    state = rng.choice(np.array(["open", "won", "lost"]), n_deals, p=[0.6, 0.25, 0.15])
    origin = rng.choice(np.array(["partner", "aws"]), n_deals, p=[0.6, 0.4])
    account = acct_base[deal_comp] + rng.integers(0, n_accounts[deal_comp])

    # Right table (Odoo-like): deals 0..n_right-1.
    r_ids = np.arange(1, n_right + 1) * 7 + 1000  # Odoo integer ids, not positions
    r_stage = [
        rng.choice(_ODOO_OPEN) if s == "open" else ("Won" if s == "won" else "Lost") for s in state[:n_right]
    ]
    right = pd.DataFrame({
        "odoo_opportunity_id": r_ids,
        "company_name_norm": [_name_variant(rng, names[c], False) if rng.random() < 0.3 else names[c]
                              for c in r_comp],
        "title": titles[:n_right],
        "domain": np.where(rng.random(n_right) < 0.8, np.array(domains, dtype=object)[r_comp], None),
        "aws_account_id": np.where(rng.random(n_right) < 0.4, account[:n_right].astype(str), None),
        "expected_revenue_usd": np.where(rng.random(n_right) < 0.9, amount[:n_right], np.nan),
        "date_deadline": np.where(rng.random(n_right) < 0.9, close[:n_right], np.datetime64("NaT")),
        "stage": r_stage,
        "origination": np.where(origin[:n_right] == "partner", "Partner Originated", "AWS Originated"),
    })
    right["company_key"] = right["company_name_norm"]
    right["context_text"] = [f"{t}. {i} customer" for t, i in zip(right["title"], [names[c].split()[-1] for c in r_comp])]
    right["identity_vec"] = list(_noisy_copy(rng, ident[r_comp], 0.35))
    right["context_vec"] = list(_noisy_copy(rng, deal_ctx[:n_right], 0.5))
    right["sparse_context"] = [_sparse(rng, t) for t in right["title"]]

    # Left table (ACE-like): n_matched copies of right deals, then deals Odoo never saw.
    matched_r = np.sort(rng.choice(n_right, n_matched, replace=False))
    l_deal = np.concatenate([matched_r, n_right + np.arange(n_left - n_matched)])
    l_comp = deal_comp[l_deal]
    is_copy = np.arange(n_left) < n_matched
    heavy = noisy
    l_names = [_name_variant(rng, names[c], heavy) for c in l_comp]
    l_titles = [_title_variant(rng, titles[d], noisy and rng.random() < 0.6) for d in l_deal]
    dom = np.array(domains, dtype=object)[l_comp]
    if noisy:
        regional = rng.random(n_left) < 0.6
        dom = np.array([d.rsplit(".", 1)[0] + "." + str(rng.choice(_REGION)) if r else d
                        for d, r in zip(dom, regional)], dtype=object)
    l_account = np.where(rng.random(n_left) < 0.8, account[l_deal],
                         acct_base[l_comp] + rng.integers(0, n_accounts[l_comp]))
    crm = np.full(n_left, None, dtype=object)
    crm_ok = is_copy & (rng.random(n_left) < (0.1 if noisy else 0.25))
    crm[crm_ok] = r_ids[l_deal[crm_ok]].astype(str)
    stale = rng.random(n_left) < 0.02
    crm[stale] = r_ids[rng.integers(0, n_right, int(stale.sum()))].astype(str)
    monthly = amount[l_deal] / 12 * np.exp(rng.normal(0, 0.25, n_left))
    if noisy:
        monthly = np.exp(rng.normal(np.log(5_000), 1.0, n_left))
    shift = rng.normal(75, 30, n_left) if noisy else rng.normal(0, 12, n_left)
    l_close = close[l_deal] + np.round(shift).astype("timedelta64[D]")
    l_state = state[l_deal].copy()
    lag = rng.random(n_left) < (0.4 if noisy else 0.1)
    l_state[lag] = rng.choice(np.array(["open", "won", "lost"]), int(lag.sum()))
    l_origin = np.where(rng.random(n_left) < 0.9, origin[l_deal], np.where(origin[l_deal] == "aws", "partner", "aws"))
    left_ids = np.array([f"O{1_000_000 + i * 13}" for i in rng.permutation(n_left)], dtype=object)
    left = pd.DataFrame({
        "ace_opportunity_id": left_ids,
        "company_name_norm": l_names,
        "title": l_titles,
        "domain": np.where(rng.random(n_left) < 0.6, dom, None),
        "aws_account_id": np.where(rng.random(n_left) < 0.7, l_account.astype(str), None),
        "partner_crm_id": crm,
        "expected_monthly_spend_usd": np.where(rng.random(n_left) < 0.85, np.round(monthly, 2), np.nan),
        "target_close_date": np.where(rng.random(n_left) < 0.9, l_close, np.datetime64("NaT")),
        "stage": [rng.choice(_ACE_OPEN) if s == "open" else ("Launched" if s == "won" else "Closed Lost")
                  for s in l_state],
        "origin": np.where(l_origin == "partner", "Partner Referral", "AWS Referral"),
    })
    left["company_key"] = left["company_name_norm"]
    left["context_text"] = [f"{t}. {names[c].split()[-1]} customer" for t, c in zip(l_titles, l_comp)]
    left["identity_vec"] = list(_noisy_copy(rng, ident[l_comp], 0.35))
    ctx = _noisy_copy(rng, deal_ctx[l_deal], 0.5)
    left["context_vec"] = [None if drop else v for v, drop in zip(ctx, rng.random(n_left) < 0.05)]
    left["sparse_context"] = [_sparse(rng, t) for t in l_titles]
    left["target_close_date"] = pd.to_datetime(left["target_close_date"])
    right["date_deadline"] = pd.to_datetime(right["date_deadline"])
    # Creation: a deal opens weeks to a year before its close date; its ACE registration follows by days to weeks
    # (months when noisy). Drawn last, so every other column is what it was before creation dates existed.
    created = close - rng.integers(20, 400, n_deals).astype("timedelta64[D]")
    delay = rng.integers(0, 120 if noisy else 45, n_left).astype("timedelta64[D]")
    right["create_date"] = pd.to_datetime(created[:n_right])
    left["aws_create_date"] = pd.to_datetime(np.where(rng.random(n_left) < 0.95, created[l_deal] + delay,
                                                      np.datetime64("NaT")))

    # No CRM connector here: Odoo carries no ACE reference, no copied ACE values and no AWS flag (all unknown).
    left["ace_stage"] = left["stage"]
    left["expected_monthly_spend"] = left["expected_monthly_spend_usd"]
    left["use_case"] = None
    for column in ("ace_opportunity_ref", "ace_target_close_date", "ace_expected_monthly_revenue", "ace_stage",
                   "use_case", "aws_scope"):
        right[column] = None

    truth = pd.DataFrame({"left_id": left_ids[:n_matched], "right_id": r_ids[matched_r]})
    return SyntheticLinkage(left=left, right=right, truth=truth)
