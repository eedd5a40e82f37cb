"""The MSP's pages as a person sees them: the roll-up's digest (the MSP's morning e-mail, with the
PSA's and the distributor's differences) and a tenant's own report and digest from `audit --demo
--tenants`, in headless Chromium at 600 px (a phone's mail app) and 1,000 px: nothing overflows,
errors or is fetched, and the PSA's table is there to be read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demo_runs import DemoRuns

from .chromium_pipe import chromium_binary
from .test_digest_browser import ARTIFACTS, clean_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (CI: apt-get install -y chromium)"),
]

PSA_HEADING = "Products whose billed seats differ from the seats assigned or bought"


@pytest.fixture(scope="module")
def fleet(demo_runs: DemoRuns) -> Iterator[Path]:
    yield demo_runs.fleet()  # the session's `audit --demo --tenants`, read-only: the browser only reads it


@pytest.mark.parametrize("width", [600, 1000])
def test_the_rollups_digest_with_the_psa_fits_a_phone(fleet: Path, width: int) -> None:
    page = fleet / "digest.html"
    assert PSA_HEADING in page.read_text(encoding="utf-8")  # the rows under test are on the page
    result = clean_load(page, width)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"rollup-digest-{width}.png").write_bytes(result.png)
    assert PSA_HEADING in " ".join(result.text.split())
    assert "Contoso" in result.text and "Fabrikam" in result.text


@pytest.mark.parametrize("name", ["digest.html", "report.html"])
def test_a_tenants_own_pages_fit_a_phone(fleet: Path, name: str) -> None:
    result = clean_load(fleet / "contoso" / name, 600)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"fleet-contoso-{name.removesuffix('.html')}-600.png").write_bytes(result.png)
    assert "Contoso" in result.text
