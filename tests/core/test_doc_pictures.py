"""docs/digest-600.png and docs/report-600.png are the demo's, made by `python3 scripts/pictures.py`
(issue 89, point 6: the pictures showed an older demo, "14 High, 57 Medium and 16 Low" and €8,333.50,
long after the tool said 14 high, 59 medium and 17 low and €8,432.75). The test makes them again from
the demo in headless Chromium (skipped without it) and compares them with docs/'s, byte for byte where
the Chromium is the one that drew docs/'s (scripts/pictures.py's DRAWN_BY)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("pictures", ROOT / "scripts" / "pictures.py")
assert _SPEC is not None and _SPEC.loader is not None
pictures = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(pictures)


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if pictures.chromium() is None:
        pytest.skip("no Chromium (Debian: apt-get install chromium)")
    out = tmp_path_factory.mktemp("pictures")
    assert pictures.run([str(out)]) == 0
    return out


@pytest.mark.parametrize(("page", "name", "height"), pictures.PICTURES, ids=[p[1] for p in pictures.PICTURES])
def test_the_docs_pictures_are_the_demos(made: Path, page: str, name: str, height: int) -> None:
    new, committed = (made / name).read_bytes(), (ROOT / "docs" / name).read_bytes()
    assert _size(new) == _size(committed) == (pictures.WIDTH, height)
    browser = pictures.chromium()
    assert browser is not None
    if pictures.version(browser) != pictures.DRAWN_BY:
        pytest.skip(f"another Chromium than docs/'s ({pictures.DRAWN_BY}): the pixels may differ")
    assert new == committed, f"docs/{name} is not the demo's {page}: run `python3 scripts/pictures.py`"
    assert name in (ROOT / "docs" / "reports.md").read_text("utf-8")
