"""Noise levels of the synthetic sources on a real Postgres: each failure mode of real partners' data shows up in
the databases at the named levels and not at `standard`, difficulty grows with the level, the truth stays complete
and one-to-one, and the same seed and level give the same data."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from rapidfuzz import fuzz, utils

from revops_assets.sources.synthetic import TRUTH_FILE, seed_sources
from revops_assets.sources.synthetic.deals import ACE_RESUBMITTED, LINKED, ODOO_DUPLICATE, build_world
from revops_assets.sources.synthetic.noise import HUBSPOT_UNTIL, NOISE_LEVELS, noise_level
from revops_assets.sources.synthetic.phrasing import GENERIC_TITLES, RESELL_TITLES
from revops_assets.sources.synthetic.generator import REFERENCE_DATE

from .test_synthetic_sources import content_hashes, query, read_truth

SCALE = 400
SEED = 9
LEVELS = ("standard", "low", "medium", "high")
FIXED_GENERIC = {t for titles in (*GENERIC_TITLES.values(), RESELL_TITLES) for t in titles if "{" not in t}
SALESFORCE = re.compile(r"^0060000[0-9A-Za-z]{8}([A-Z]{3})?$")
HUBSPOT = re.compile(r"^(HS-)?\d{6,10}$")


@pytest.fixture(scope="module")
def levels(pg, tmp_path_factory) -> dict[str, SimpleNamespace]:
    out = {}
    for level in LEVELS:
        odoo, apn = pg.create_database(f"noise_odoo_{level}"), pg.create_database(f"noise_apn_{level}")
        truth = tmp_path_factory.mktemp(f"noise_truth_{level}")
        report = seed_sources(odoo, apn, truth, scale=SCALE, seed=SEED, noise_level=level)
        out[level] = SimpleNamespace(odoo=odoo, apn=apn, truth=truth, report=report, **_pairs(odoo, apn, truth))
    return out


def _pairs(odoo: str, apn: str, truth) -> dict:
    ace = {r[0]: r for r in query(apn, "select id, partner_project_title, name, partner_crm_unique_identifier, "
                                       "close_date, aws_create_date, status, stage_name from opportunity")}
    leads = {r[0]: r for r in query(odoo, "select id, name, partner_name, date_deadline, partner_id, active, type "
                                          "from crm_lead")}
    links = [(ace[link["ace_opportunity_id"]], leads[int(link["odoo_opportunity_id"])]) for link in read_truth(truth)]
    return {"ace": ace, "leads": leads, "links": links}


def _share(pairs, test) -> float:
    return sum(bool(test(p)) for p in pairs) / len(pairs)


def _paraphrased(pair) -> bool:
    return fuzz.token_set_ratio(utils.default_process(pair[0][1]), utils.default_process(pair[1][1])) < 50


def test_truth_is_complete_and_one_to_one_at_every_level(levels):
    for level, data in levels.items():
        links = read_truth(data.truth)
        assert len(links) == data.report.links > 0.5 * SCALE, level
        assert len({x["ace_opportunity_id"] for x in links}) == len({x["odoo_opportunity_id"] for x in links}) == \
            len(links), level
        assert query(data.odoo, "select count(*) from crm_lead where type = 'opportunity'")[0][0] == SCALE
        assert data.report.noise_level == level
    # the deal universe is the same at every level: the same deals are linked
    assert levels["standard"].report.links == levels["high"].report.links


def test_difficulty_grows_with_the_level(levels):
    paraphrased = [_share(levels[lv].links, _paraphrased) for lv in LEVELS]
    assert paraphrased[0] < 0.05 and paraphrased == sorted(paraphrased) and paraphrased[-1] > 0.3, paraphrased
    slipped = [_share(levels[lv].links, lambda p: p[0][4] and p[1][3] and abs((p[0][4] - p[1][3]).days) > 75
                      and date(1901, 1, 1) < p[0][4] < date(9000, 1, 1)) for lv in LEVELS]
    assert slipped == sorted(slipped) and slipped[-1] > slipped[0] + 0.1, slipped
    faceless = [query(levels[lv].odoo, "select count(*) from crm_lead where partner_id is null and partner_name is null "
                                       "and email_from is null")[0][0] for lv in LEVELS]
    assert faceless == sorted(faceless) and faceless[-1] > faceless[0] + 10, faceless


def test_titles_generic_placeholder_and_short(levels):
    for level, data in levels.items():
        generic = sum(a[1] in FIXED_GENERIC for a in data.ace.values())
        placeholder = sum(o[1].endswith("'s opportunity") for o in data.leads.values())
        if level == "standard":
            assert generic == placeholder == 0
        else:
            assert generic > 0 and placeholder > 0, level
    high = levels["high"]
    workload_only = {w[:1].upper() + w[1:] for w in ("disaster recovery", "data lake", "landing zone",
                                                      "contact center", "virtual desktops")}
    assert any(a[1] in workload_only or len(a[1].split()) <= 3 for a, _o in high.links)


def test_legacy_crm_ids_only_on_records_from_before_odoo(levels):
    for level, data in levels.items():
        ids = [(a[3].strip(), a[5]) for a in data.ace.values() if a[3]]
        legacy = [(v, created) for v, created in ids if SALESFORCE.match(v) or (HUBSPOT.match(v) and int(
            v.removeprefix("HS-")) not in data.leads)]
        if level == "standard":
            assert not any(SALESFORCE.match(v) for v, _ in ids) and not any(v.startswith("HS-") for v, _ in ids)
            continue
        assert legacy, level
        assert all(created.date() < HUBSPOT_UNTIL for _v, created in legacy), level
    share = {lv: len([1 for a in levels[lv].ace.values() if a[3] and SALESFORCE.match(a[3].strip())])
             for lv in ("low", "high")}
    assert share["high"] > share["low"]


def test_native_script_names_across_systems(levels):
    cjk = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    crossed = {lv: sum(bool(cjk.search(a[2] or "")) and not cjk.search(o[2] or "") for a, o in levels[lv].links)
               for lv in ("standard", "high")}
    assert crossed["high"] > crossed["standard"], crossed
    umlaut = {n for n, in query(levels["high"].odoo, "select name from res_partner where is_company and name ~ '[äöüß]'")}
    written_ascii = {n.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})) for n in umlaut}
    assert umlaut and any(a[2] in written_ascii for a in levels["high"].ace.values())  # "Mueller" for "Müller"


def test_resubmissions_and_archived_duplicates(levels):
    high = noise_level("high")
    world = build_world(SEED, SCALE, high.multiplier, REFERENCE_DATE, high.modes)
    standard = build_world(SEED, SCALE, 1.0, REFERENCE_DATE)
    resubmitted = [d for d in world.deals if d.category == ACE_RESUBMITTED]
    assert resubmitted and not [d for d in standard.deals if d.category == ACE_RESUBMITTED]
    data = levels["high"]
    duplicates = [d for d in world.deals if d.category == ODOO_DUPLICATE]
    assert len(duplicates) > 2 * len([d for d in standard.deals if d.category == ODOO_DUPLICATE])
    assert all(data.leads[d.odoo_id][5] is False for d in duplicates)  # archived
    linked_ace = {a[0] for a, _o in data.links}
    for deal in resubmitted:
        assert deal.twin.category == LINKED and deal.company is deal.twin.company
        assert deal.workload == deal.twin.workload and deal.created < deal.twin.created
        row = data.ace[deal.ace_id]
        assert deal.ace_id not in linked_ace
        assert row[6] == "Rejected" or row[7] == "Closed Lost", row


def test_same_seed_and_level_same_data(levels, pg, tmp_path_factory):
    odoo, apn = pg.create_database("noise_odoo_again"), pg.create_database("noise_apn_again")
    truth = tmp_path_factory.mktemp("noise_truth_again")
    seed_sources(odoo, apn, truth, scale=SCALE, seed=SEED, noise_level="medium")
    assert content_hashes(apn) == content_hashes(levels["medium"].apn)
    assert content_hashes(odoo)["crm_lead"] == content_hashes(levels["medium"].odoo)["crm_lead"]
    assert (truth / TRUTH_FILE).read_bytes() == (levels["medium"].truth / TRUTH_FILE).read_bytes()
    central = tmp_path_factory.mktemp("noise_truth_central")  # profiles and levels combine: the same deals
    seed_sources(odoo, apn, central, scale=SCALE, seed=SEED, noise_level="medium", profile="partner_central")
    assert (central / TRUTH_FILE).read_bytes() == (truth / TRUTH_FILE).read_bytes()
    assert set(NOISE_LEVELS) == set(LEVELS)
    with pytest.raises(ValueError, match="unknown noise level 'extreme'"):
        noise_level("extreme")
