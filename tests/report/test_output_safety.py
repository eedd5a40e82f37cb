"""The output directory as a hostile or unlucky user leaves it: symlinks planted at temp and report
names and at previous/, a full disk, and two runs at once. Everything goes through the real CLI."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.common.outputs import output_lock

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"


def audit(out: Path, *extra: str) -> int:
    return main(
        [
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(POLICY),
            "--as-of",
            AS_OF,
            "--output-dir",
            str(out),
            *extra,
        ]
    )


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.name.endswith(".tmp"))


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text("do not touch\n")
    return path


def test_a_symlink_at_the_old_temp_name_is_not_followed(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("report.md.tmp", "report.html.tmp", "report.json.tmp", "findings.csv.tmp"):
        (out / name).symlink_to(victim)
    assert audit(out) == 1
    assert victim.read_text() == "do not touch\n"
    assert (out / "report.md").is_file() and not (out / "report.md").is_symlink()


def test_a_symlink_at_a_report_name_is_replaced_not_written_through(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out"
    (out / "previous").mkdir(parents=True)
    (out / "report.md").symlink_to(victim)
    assert audit(out) == 1
    assert victim.read_text() == "do not touch\n"
    assert not (out / "report.md").is_symlink()
    assert (out / "previous" / "report.md").is_symlink()  # the old entry was moved aside, as it was


@pytest.mark.parametrize("kind", ["symlink", "file"])
def test_previous_must_be_a_directory(tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    assert audit(out) == 1
    first = (out / "report.json").read_bytes()
    if kind == "symlink":
        (out / "previous").symlink_to(elsewhere, target_is_directory=True)
    else:
        (out / "previous").write_text("x")
    assert audit(out) == 2
    assert "previous is a symbolic link or a file" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []  # nothing moved out of the output directory
    assert (out / "report.json").read_bytes() == first  # and the last reports stay where they were


def test_a_write_the_file_system_refuses_leaves_no_temp_file_and_exits_2(tmp_path: Path) -> None:
    """The file system refuses the report part way (a file size limit: the kernel answers EFBIG,
    as a full disk answers ENOSPC): the CLI exits 2 naming the report, and no file is left half
    written."""
    out = tmp_path / "out"
    out.mkdir()
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))\n"
        "from auditor.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(POLICY),
            "--as-of",
            AS_OF,
            "--output-dir",
            str(out),
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "report.json: cannot write report: File too large" in done.stderr
    assert leftovers(tmp_path) == []
    assert not (out / "report.json").exists()


def test_collect_output_that_fails_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.snapshot.write as snapshot_module  # save_snapshot calls write_snapshot there

    def broken(snapshot: object, out: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(snapshot_module, "write_snapshot", broken)
    target = tmp_path / "evidence" / "tenant.json"
    code = main(
        [
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(POLICY),
            "--as-of",
            AS_OF,
            "--output-dir",
            str(tmp_path / "out"),
            "--save-snapshot",
            str(target),
        ]
    )
    assert code == 2
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_a_second_run_into_a_locked_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with output_lock(out):
        assert audit(out) == 2
        assert "another license-auditor run is writing to" in capsys.readouterr().err
        assert list(out.iterdir()) == []
    assert audit(out) == 1  # released: the next run goes ahead


def test_the_lock_holds_across_processes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from auditor.common.outputs import output_lock\n"
            "with output_lock(Path(sys.argv[1])):\n    print('locked', flush=True); sys.stdin.read()",
            str(out),
        ],
        stdin=subprocess.PIPE,  # held until the test has checked: killed then, however long that took
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert audit(out) == 2
        assert "another license-auditor run is writing to" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert audit(out) == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "digest.html",
        "digest.txt",
        "feature-map.csv",  # the policy has `entitlements:` (auditor.report.feature_map_files)
        "feature-map.md",
        "findings.csv",
        "licensed-users.csv",
        "report.html",
        "report.json",
        "report.md",
        "run.json",
    ]


def test_the_demo_runs_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `pip install`, `audit --demo` used to exit 2 outside the repository ("policies does not exist")."""
    monkeypatch.chdir(tmp_path)
    assert not (tmp_path / "policies").exists()
    assert main(["audit", "--demo", "--format", "json"]) == 1
    assert (tmp_path / "reports" / "report.json").is_file()


def test_the_bundled_demo_policy_is_the_example_policy() -> None:
    bundled = ROOT / "auditor_dev" / "sample" / "example-policy.yaml"
    assert bundled.read_bytes() == (ROOT / "examples" / "contoso-policy.yaml").read_bytes()


def test_previous_holds_the_last_run_alone(tmp_path: Path) -> None:
    """A night that writes fewer files (the fleet's --tenant-reports mailed: report.json and findings.csv
    alone for a tenant not e-mailed) leaves no older report.html in previous/ beside the last run's."""
    out = tmp_path / "out"
    assert audit(out, "--format", "html,json,csv") == 1
    first_html = (out / "report.html").read_bytes()
    assert audit(out, "--format", "json,csv") == 1
    assert (out / "previous" / "report.html").read_bytes() == first_html  # the last run's, kept
    assert audit(out, "--format", "json,csv") == 1
    kept = {p.name for p in (out / "previous").iterdir()}
    assert {"findings.csv", "report.json"} <= kept and "report.html" not in kept, kept
    assert not (out / "report.html").exists()
