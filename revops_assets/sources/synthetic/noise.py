"""How messy the synthetic sources are: the `--noise` multiplier and the named noise levels (`--noise-level`).

The multiplier scales the corruption rates every level has (typos, dropped legal forms, stale stages, ...) and makes
helpful optional keys fill less often. A named level adds the failure modes real partners' data shows, each at its
own rate (docs/synthetic_sources.md):

- ACE titles in other words than Odoo's for the same workload ("Teradata Exit" for "Data warehouse on AWS"), generic
  ACE titles ("AWS Migration", "MAP", "AWS Resell"), short ones that are a subset of other deals' titles, and Odoo's
  placeholder titles ("Olivia Carter's opportunity"); the ACE business problem then written anew too;
- resubmitted registrations: an older rejected or closed-lost ACE record of the same customer and workload;
- more archived duplicate deals in Odoo (and rejected duplicates in ACE);
- close dates that slipped by months in one system only;
- customer names in native script or another transliteration in ACE ("吉田 Bussan K.K." for "Yoshida Bussan",
  "Mueller" for "Müller");
- legacy CRM ids (Salesforce `0060000YHbI5ED5`, HubSpot `HS-477093`) in ACE's partner CRM id on records registered
  before the partner moved to Odoo;
- Odoo deals without a customer (no partner, company name or e-mail).

Each failure mode draws from its own seeded generator per deal, so the rest of the world is the same at every level
and `standard` (all modes off) is byte for byte the data the generator made before levels existed. Which modes
exist and how they look come from partners' databases; their rates were then scaled so that low / medium / high
reproduce the difficulty the first matcher met on independently generated data (issue 12; the measured figures are
in docs/synthetic_sources.md). Do not tune a matcher on one level and report it on the same one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SALESFORCE_UNTIL = date(2024, 6, 1)  # the partner's CRM before Odoo: Salesforce, then HubSpot, then Odoo
HUBSPOT_UNTIL = date(2025, 3, 1)


@dataclass(frozen=True)
class FailureModes:
    """Rates of the failure modes (see the module docstring); 0 = off."""

    paraphrased_titles: float = 0.0  # deals whose ACE (or, a third of the time, Odoo) title says it in other words
    generic_titles: float = 0.0  # ACE titles that name no workload
    short_titles: float = 0.0  # ACE titles that are just the workload ("Disaster recovery")
    placeholder_titles: float = 0.0  # Odoo titles left at "<partner>'s opportunity"
    rewritten_descriptions: float = 0.0  # of paraphrased/generic ACE titles: the business problem written anew
    resubmissions: float = 0.0  # per linked deal: an older rejected or closed-lost registration of it
    odoo_duplicates: float = 0.012  # per linked deal: an archived duplicate in Odoo (times the multiplier)
    ace_duplicates: float = 0.01  # per linked deal: a duplicate AWS referral ACE rejected (times the multiplier)
    slipped_dates: float = 0.0  # linked deals whose close date moved by months in one system only
    native_script: float = 0.0  # ACE names of Japanese / German customers in native script or transliterated
    legacy_crm_ids: float = 0.0  # ACE records registered before the move to Odoo that carry the old CRM's id
    no_customer: float = 0.0  # Odoo deals with no customer at all


@dataclass(frozen=True)
class NoiseLevel:
    name: str
    multiplier: float  # times the --noise multiplier
    modes: FailureModes = field(default_factory=FailureModes)
    description: str = ""


NOISE_LEVELS: dict[str, NoiseLevel] = {level.name: level for level in (
    NoiseLevel("standard", 1.0, FailureModes(),
               "the demo's data: name/amount/date/stage noise, no paraphrased titles or legacy ids"),
    NoiseLevel("low", 1.0, FailureModes(
        paraphrased_titles=0.3, generic_titles=0.05, short_titles=0.03, placeholder_titles=0.04,
        rewritten_descriptions=0.5, resubmissions=0.04, odoo_duplicates=0.02, ace_duplicates=0.015,
        slipped_dates=0.1, native_script=0.5, legacy_crm_ids=0.12, no_customer=0.02),
        "a tidy partner: some paraphrase, few legacy ids"),
    NoiseLevel("medium", 1.25, FailureModes(
        paraphrased_titles=0.48, generic_titles=0.09, short_titles=0.05, placeholder_titles=0.06,
        rewritten_descriptions=0.6, resubmissions=0.08, odoo_duplicates=0.035, ace_duplicates=0.025,
        slipped_dates=0.15, native_script=0.7, legacy_crm_ids=0.25, no_customer=0.04),
        "a typical partner"),
    NoiseLevel("high", 1.6, FailureModes(
        paraphrased_titles=0.7, generic_titles=0.14, short_titles=0.07, placeholder_titles=0.1,
        rewritten_descriptions=0.7, resubmissions=0.12, odoo_duplicates=0.05, ace_duplicates=0.04,
        slipped_dates=0.25, native_script=0.9, legacy_crm_ids=0.4, no_customer=0.07),
        "a partner after two CRM migrations and years of copy-paste"),
)}
DEFAULT_NOISE_LEVEL = "standard"


def noise_level(name: str) -> NoiseLevel:
    try:
        return NOISE_LEVELS[name]
    except KeyError:
        raise ValueError(f"unknown noise level {name!r}; known: {', '.join(NOISE_LEVELS)}") from None


class Noise:
    """The noise of one world: `p`/`fill` turn the multiplier into probabilities; `modes` are the failure modes;
    `draw` gives a failure mode its own generator for one record."""

    def __init__(self, level: float, modes: FailureModes | None = None, seed: int = 0) -> None:
        self.level = max(0.0, float(level))
        self.modes = modes or FailureModes()
        self.seed = seed

    def p(self, base: float) -> float:
        """Probability of a corruption event whose default-seed rate is `base`."""
        return min(0.95, base * self.level)

    def fill(self, base: float) -> float:
        """Probability that a helpful optional value is filled; base ** level (noisier = emptier)."""
        return base ** self.level if self.level > 0 else 1.0

    def draw(self, mode: str, key: object) -> random.Random:
        return random.Random(f"{self.seed}:{mode}:{key}")

    def happens(self, mode: str, key: object) -> bool:
        """Whether failure mode `mode` (a FailureModes field) hits record `key`."""
        rate = getattr(self.modes, mode)
        return rate > 0 and self.draw(mode, key).random() < rate


def slipped_days(noise: Noise, deal_key: int) -> tuple[int, int]:
    """(days added to ACE's close date, days added to Odoo's): a slip of 2-9 months that only one system recorded,
    ACE more often (the partner updates the co-sell record, not the CRM, or the other way round)."""
    if not noise.happens("slipped_dates", deal_key):
        return 0, 0
    r = noise.draw("slip-size", deal_key)
    days = r.randint(60, 270) * (1 if r.random() < 0.85 else -1)
    return (days, 0) if r.random() < 0.6 else (0, days)


def legacy_crm_id(noise: Noise, deal_key: int, registered: date) -> str | None:
    """The id the partner's previous CRM gave the deal, which its ACE integration wrote into
    partner_crm_unique_identifier: a Salesforce opportunity id (15 or 18 characters, prefix 006) before
    SALESFORCE_UNTIL, a HubSpot deal id before HUBSPOT_UNTIL; None for later records or when the mode misses."""
    if registered >= HUBSPOT_UNTIL or not noise.happens("legacy_crm_ids", deal_key):
        return None
    r = noise.draw("legacy-id", deal_key)
    if registered < SALESFORCE_UNTIL:
        body = "".join(r.choice(_BASE62) for _ in range(8))
        sf = f"0060000{body}"
        return sf if r.random() < 0.7 else sf + "".join(r.choice(_BASE62[10:36]) for _ in range(3))
    number = r.randrange(100_000, 999_999) if r.random() < 0.6 else r.randrange(10**9, 10**10)
    return f"HS-{number}" if r.random() < 0.7 else str(number)
