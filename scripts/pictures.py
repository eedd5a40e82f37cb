"""The pictures docs/reports.md shows, made from the demo: `python3 scripts/pictures.py [DIR]`.

Runs `audit --demo` into a temporary folder and takes headless Chromium's screenshot of its digest
(digest-600.png, 600 × 1,800 px) and of the top of its report (report-600.png, 600 × 2,600 px),
written to DIR (default: docs/). Run it again when the demo's figures change;
tests/core/test_doc_pictures.py runs it (skipped without Chromium).

Exit code: 0 when both pictures were written; 2 without Chromium; 1 when the demo or Chromium failed.

A docs tool beside the other scripts, not in auditor_dev: it runs the whole command line
(auditor.cli), which auditor_dev, below the `--demo` seam, must never import (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from auditor_dev.demo import CLOCK  # the moment the sample was collected: the demo's reports are dated by it

# (the page the demo writes, the picture, its height in px); the width is 600, an e-mail client's
PICTURES = (("digest.html", "digest-600.png", 1800), ("report.html", "report-600.png", 2600))
WIDTH = 600
# the Chromium that drew docs/'s pictures: another version (or fonts) draws other pixels, so the test
# compares the pictures byte for byte only with this one (run the script again after an upgrade)
DRAWN_BY = "Chromium 156.0.8078.108 built on Debian GNU/Linux 12 (bookworm)"


def chromium() -> str | None:
    """Debian's chromium (or another Chromium on PATH); None when there is none."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def version(browser: str) -> str:
    """What `browser --version` prints, "" when it cannot say."""
    try:
        done = subprocess.run([browser, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


SHOTS = 5  # at most, until two in a row are the same picture


def screenshot(browser: str, page: Path, picture: Path, height: int, profile: Path) -> None:
    """`page` at WIDTH × `height` px, as headless Chromium draws it, to `picture`. On a busy machine
    Chromium can take the picture before its last rows are painted (seen at the foot of report-600.png),
    so it is taken again until two in a row are the same, which a half-painted page seldom is twice."""
    previous = b""
    for _ in range(SHOTS):
        _shot(browser, page, picture, height, profile)
        taken = picture.read_bytes()
        if taken == previous:
            return
        previous = taken
    raise RuntimeError(f"chromium drew {picture.name} differently {SHOTS} times in a row")


def _shot(browser: str, page: Path, picture: Path, height: int, profile: Path) -> None:
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # a container's root: Chromium's sandbox needs user namespaces
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{height}",
        f"--screenshot={picture}",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    if done.returncode != 0 or not picture.is_file():
        raise RuntimeError(f"chromium could not take {picture.name}: exit {done.returncode}")


@contextlib.contextmanager
def _pinned_clock() -> Iterator[None]:
    """The report's "generated" time pinned to the demo's own moment (SOURCE_DATE_EPOCH), so that the
    pictures change only when the demo does."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(CLOCK.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def make(target: Path) -> list[Path]:
    """The demo's pictures, written to `target`; RuntimeError when Chromium or the demo fails."""
    from auditor.cli import main

    browser = chromium()
    if browser is None:
        raise FileNotFoundError("no chromium on PATH (Debian: apt-get install chromium)")
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pictures-") as tmp:
        out = Path(tmp) / "reports"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), _pinned_clock():
            code = main(["audit", "--demo", "--output-dir", str(out), "--format", "json,html", "--fail-on", "never"])
        if code != 0:
            raise RuntimeError(f"audit --demo exited {code}")
        written = []
        for page, name, height in PICTURES:
            screenshot(browser, out / page, target / name, height, Path(tmp) / "profile")
            written.append(target / name)
    return written


def run(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "docs"
    try:
        written = make(target)
    except FileNotFoundError as exc:
        print(f"pictures: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"pictures: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
