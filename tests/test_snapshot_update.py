"""`pytest --snapshot-update` is explicit and never a pass when it writes (tests/conftest.py).

Runs pytest on a throwaway test that snapshots a file, with this suite's conftest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFTEST = Path(__file__).with_name("conftest.py")

TEST = """
import os
from pathlib import Path


def test_file(tmp_path, report_file):
    path = tmp_path / "report.md"
    path.write_bytes(os.environ["CONTENT"].encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == report_file(path)
"""


def _pytest(folder: Path, content: str, *args: str) -> subprocess.CompletedProcess[str]:
    # faster start: syrupy only; and not as one of this suite's workers (syrupy reports nothing from one)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    env |= {"CONTENT": content, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "syrupy", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_update_run_that_writes_fails(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text("utf-8"), "utf-8")
    (tmp_path / "test_it.py").write_text(TEST, "utf-8")
    snapshot = tmp_path / "__snapshots__" / "test_it" / "test_file.md"

    # syrupy's own rules (a normal run never writes, and fails on a missing, different or unused
    # snapshot) were checked by hand, and the sample goldens read back findings.csv's BOM and CRLF;
    # this checks what tests/conftest.py adds (one pytest start: about a second)
    update = _pytest(tmp_path, "a\r\nb\n", "--snapshot-update")
    assert update.returncode == 1, update.stdout
    assert "1 snapshot generated" in update.stdout and "snapshots were written or deleted" in update.stdout
    assert snapshot.read_bytes() == b"a\r\nb\n"  # as the file is: line endings kept
