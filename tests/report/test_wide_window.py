"""report.html at 1,400 px, a laptop's browser window: the seat table shows every column, the last
("Unused per month") included, without a sideways scroll (issue 99, point 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.i18n import translations

from .chromium_pipe import chromium_binary, load
from .test_digest_size import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (CI: apt-get install -y chromium)"),
]

# the header cell of that label, its right edge, and the scroll box around its table: its visible right
# edge and how much wider its content is than what it shows
COLUMN = """(() => {
  const th = [...document.querySelectorAll('th')].find(t => t.textContent.trim() === %s);
  let box = th.parentElement;
  while (box && getComputedStyle(box).overflowX !== 'auto') box = box.parentElement;
  return {right: th.getBoundingClientRect().right, shown: box.getBoundingClientRect().right,
          hidden: box.scrollWidth - box.clientWidth};
})()"""


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_the_unused_per_month_column_shows_at_1400_px(tmp_path: Path, locale: Locale) -> None:
    argv = ["audit", "--snapshot", str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json")]
    argv += ["--policies", str(ROOT / "examples" / "contoso-policy.yaml"), "--output-dir", str(tmp_path)]
    argv += ["--format", "html", "--locale", locale.value, "--as-of", "2026-11-01T06:00:00Z"]
    assert main(argv) == 1
    label = translations(locale).pgettext("seats_unused_cost", "Unused per month")
    result = load(tmp_path / "report.html", width=1400, evaluate=(COLUMN % json.dumps(label),))
    [column] = result.values
    assert column["hidden"] <= 0, column  # the table fits its box: nothing behind a sideways scroll
    assert column["right"] <= column["shown"] <= 1400, column
