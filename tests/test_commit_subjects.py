"""Commit subjects are under 72 characters (CONTRIBUTING.md, "Habits"), for every commit made since
the rule was adopted: the commits of HEAD's history that BASE's history does not hold. CI runs from
a full clone of main (.ci/run; the checkout in .github/workflows/ci.yml fetches the history)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# main when the rule was adopted (the merge of the round that brought it); older subjects stay as written
BASE = "95fc64547c87d2ffdc8cb3733db0a7400df93719"
LIMIT = 72


def _git(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8", timeout=60)


def long_subjects(base: str, root: Path = ROOT) -> list[str]:
    """`<short sha> <subject>` of each commit in base..HEAD whose subject is LIMIT characters or more."""
    found = _git("log", "--format=%h %s", f"{base}..HEAD", root=root)
    assert found.returncode == 0, found.stderr
    return [line for line in found.stdout.splitlines() if len(line.split(" ", 1)[1]) >= LIMIT]


def test_commit_subjects_since_the_rule_are_under_72_characters() -> None:
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout (an unpacked source archive)")
    assert _git("rev-parse", "--is-shallow-repository").stdout.strip() == "false", (
        "a shallow clone: the check needs the history since the rule (git fetch --unshallow)"
    )
    if _git("rev-parse", "--verify", "--quiet", f"{BASE}^{{commit}}").returncode != 0:
        pytest.skip(f"a branch made before commit {BASE}: the check runs once it is merged into main")
    assert long_subjects(BASE) == [], f"commit subjects of {LIMIT} characters or more: reword them"


def test_the_check_finds_a_long_subject(tmp_path: Path) -> None:
    """The check itself, on a throwaway repository: a 72-character subject is found, a 71-character
    one is not, and commits before the base are not looked at."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    git("commit", "-q", "--allow-empty", "-m", "x" * 90)  # before the base: not checked
    base = git("rev-parse", "HEAD")
    git("commit", "-q", "--allow-empty", "-m", "y" * (LIMIT - 1))
    git("commit", "-q", "--allow-empty", "-m", "z" * LIMIT + "\n\na body line may be as long as it needs to be")
    assert len(git("log", "--format=%s", f"{base}..HEAD").splitlines()) == 2
    (line,) = long_subjects(base, tmp_path)
    assert line.endswith(" " + "z" * LIMIT)
