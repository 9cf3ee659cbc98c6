"""The Dagster UI as people see it, in a real browser: the webserver on the embedded Postgres storage of the
daemon-built warehouse, pages rendered by headless Chromium, assertions on the rendered DOM, screenshots kept.

Screenshots go to $REVOPS_UI_SCREENSHOTS when set (look at them), else to the test's temp dir. Without Chromium
the test skips, except in CI (.ci/run installs it and sets REVOPS_CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run",
                  "--hide-scrollbars", "--window-size=1600,1000", "--virtual-time-budget=20000"]
# page -> texts a person must be able to read on it
PAGES = {
    "asset_graph": ("asset-groups", ["raw_odoo", "raw_apn", "core", "core_billing", "search", "matching"]),
    "matching_graph": ("locations/revops_assets/asset-groups/matching",
                       ["opportunity_matches", "review_queue", "reconciliation", "match_quality"]),
    "opportunity_matches": ("assets/matching/opportunity_matches", [
        "One row per ACE opportunity",  # the asset's description
        "Match probability of the pair",  # a column description from data/dictionary/matching.yaml
        "Freshness policy", "Fails if more than 12 hours", "Warns if more than 4 hours",
        "upstream updated, checks passed",  # the automation condition
    ]),
    "match_quality": ("assets/matching/match_quality", ["Freshness policy", "F1 auto-matched", "candidate recall"]),
    "core_opportunities": ("assets/core/odoo_opportunities", [
        "Freshness policy", "Fails if more than 8 hours", "Odoo opportunity id (crm.lead id",
        "From odoo.lead.name (raw.odoo_crm_lead)",  # column lineage, which the open-source UI does not draw
    ]),
    "raw_table": ("assets/raw/odoo_crm_lead", ["Freshness policy", "Fails if more than 6 hours"]),
    "search_embeddings": ("assets/search/ace_opportunity_embeddings", [
        "Freshness policy", "HNSW cosine index", "vector(384)",  # description and type, merged by the UI
    ]),
    "billing": ("assets/core/aws_costs_monthly", ["Freshness policy", "daily 05:00 UTC + closing month"]),
}


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found:
        return found
    if os.environ.get("REVOPS_CI") or os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium not found: apt-get install chromium to run the browser check")


@pytest.fixture(scope="module")
def webserver(live_stack):
    browser = chromium()
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-webserver")), "-w", str(ROOT / "workspace.yaml"),
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=live_stack.env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dagster-webserver did not come up on {url}")
                time.sleep(1)
        yield browser, url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def render(browser: str, url: str, profile: Path, screenshot: Path) -> str:
    """The page's DOM after its scripts ran, and its screenshot."""
    done = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={screenshot}", "--dump-dom", url],
        capture_output=True, text=True, timeout=180, check=True,
    )
    return done.stdout


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_what_people_need(webserver, page, tmp_path):
    browser, base = webserver
    path, expected = PAGES[page]
    shots = Path(os.environ.get("REVOPS_UI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    dom = render(browser, f"{base}/{path}", tmp_path / "profile", shots / f"{page}.png")
    missing = [text for text in expected if text not in dom]
    assert not missing, f"{path}: not on the rendered page: {missing} (screenshot {shots / f'{page}.png'})"
    assert (shots / f"{page}.png").stat().st_size > 20_000  # a real page, not a blank one
