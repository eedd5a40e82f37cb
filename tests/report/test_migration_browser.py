"""migration.html as a person sees it: the demo's migration plan in headless Chromium at 600 px (a
phone) and 1,000 px, in English and Turkish. Nothing overflows, errors or is fetched; the first
screen says what moves and what is blocked, and the tenants' own text stays text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.reference import product_names

from .chromium_pipe import chromium_binary
from .test_digest_browser import ARTIFACTS, clean_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (CI: apt-get install -y chromium)"),
]

Plans = Callable[[Locale], Path]


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plans]:
    """`migrate --demo` (two sample tenants on the emulator) in each language asked for."""
    folders: dict[Locale, Path] = {}

    def plan(locale: Locale) -> Path:
        if locale not in folders:
            out = tmp_path_factory.mktemp(f"migration-{locale.value}")
            assert main(["migrate", "--demo", "--locale", locale.value, "--output-dir", str(out)]) == 1
            folders[locale] = out
        return folders[locale]

    yield plan


@pytest.mark.parametrize("width", [600, 1000])
@pytest.mark.parametrize("locale", [Locale.EN, Locale.TR], ids=lambda loc: loc.value)
def test_the_migration_plan_renders_at_phone_and_desktop_width(plans: Plans, locale: Locale, width: int) -> None:
    folder = plans(locale)
    result = clean_load(folder / "migration.html", width)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"migration-{locale.value}-{width}.png").write_bytes(result.png)
    plan = json.loads((folder / "migration.json").read_text("utf-8"))
    blocked = sum(1 for u in plan["users"] if u["blockers"])
    moving = len(plan["users"]) - blocked
    first = " ".join(result.first_screen.split())
    # the headline with both counts, and both tenants' names, before any scrolling
    assert str(moving) in first and str(blocked) in first
    assert plan["source"]["tenant"] in result.text and plan["target"]["tenant"] in result.text
    # every product to buy is on the page, by the name the report gives it
    names = product_names()
    assert all((names.product(None, p["sku"]) or p["sku"]) in result.text for p in plan["purchases"])
