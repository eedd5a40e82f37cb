"""A `gh` for running the workflows' shell steps here: it answers the `gh api` reads of runs with
crafted workflow-run objects (as GitHub's REST API shapes them) and serves `gh run download` from
folders, logging each call, so a test can make a run look like it came from a pull request,
another branch, a fork or another workflow and see whether its artifacts are read."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

REPO = "contoso/audit"
NIGHTLY = "nightly-audit.yml"
TIP = "c0ffee" + "0" * 34  # the default branch's newest commit
ON_MAIN = "abc123" + "0" * 34  # a commit the default branch holds (behind its tip)
ELSEWHERE = "d15c0" + "0" * 35  # a commit on no branch of the default's history (a tag's, a fork's)

_SCRIPT = r"""
import json, os, shutil, sys
from urllib.parse import urlsplit
state = os.environ["FAKE_GH_STATE"]
data = json.load(open(os.path.join(state, "runs.json")))
with open(os.path.join(state, "calls.log"), "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\n")
args = sys.argv[1:]
if args[:1] == ["api"]:
    url = urlsplit(args[1])
    parts = url.path.split("/")
    repo = "/".join(parts[1:3])
    if repo != data["repo"]:
        print("HTTP 404: Not Found", file=sys.stderr); sys.exit(1)
    if len(parts) == 3:
        print(json.dumps({"full_name": repo, "default_branch": data["default_branch"], "visibility": "private"}))
        sys.exit(0)
    if parts[3:4] == ["branches"] and len(parts) == 5:
        if parts[4] != data["default_branch"]:
            print("HTTP 404: Branch not found", file=sys.stderr); sys.exit(1)
        print(json.dumps({"name": parts[4], "commit": {"sha": data["tip"]}})); sys.exit(0)
    if parts[3:4] == ["compare"] and len(parts) == 5:
        base, head = parts[4].split("...")
        status = "identical" if head == base else "behind" if base == data["tip"] and head in data["on_main"] \
            else "diverged"
        print(json.dumps({"status": status, "ahead_by": 0 if status != "diverged" else 1})); sys.exit(0)
    if parts[3:5] == ["actions", "runs"] and parts[6:] == ["artifacts"]:
        folder = os.path.join(state, "artifacts", parts[5])
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        print(json.dumps({"total_count": len(names), "artifacts": [{"name": n} for n in names]})); sys.exit(0)
    if parts[3:5] == ["actions", "runs"] and len(parts) == 6:
        run = data["runs"].get(parts[5])
        if run is None:
            print("HTTP 404: Not Found", file=sys.stderr); sys.exit(1)
        print(json.dumps(run)); sys.exit(0)
    if parts[3:5] == ["actions", "workflows"] and parts[6:] == ["runs"]:
        # GitHub filters by branch and status; this answers every run, newest first, so only the
        # caller's own checks keep the others out
        runs = sorted(data["runs"].values(), key=lambda r: -r["id"])
        print(json.dumps({"total_count": len(runs), "workflow_runs": runs})); sys.exit(0)
    print("HTTP 404: Not Found", file=sys.stderr); sys.exit(1)
if args[:2] == ["run", "download"]:
    run = args[2]
    target = args[args.index("--dir") + 1]
    source = os.path.join(state, "artifacts", run)
    if "--name" in args and os.path.isdir(os.path.join(source, args[args.index("--name") + 1])):
        source = os.path.join(source, args[args.index("--name") + 1])
    if not os.path.isdir(source):
        print("no artifact", file=sys.stderr); sys.exit(1)
    def refuse_existing(src, dst):  # as gh extracts (O_EXCL): a file already there stops the download
        if os.path.exists(dst):
            print(f"error downloading {args[args.index('--name') + 1]}: error extracting "
                  f"{os.path.basename(dst)!r}: open {dst}: file exists", file=sys.stderr); sys.exit(1)
        shutil.copy2(src, dst)
    shutil.copytree(source, target, dirs_exist_ok=True, copy_function=refuse_existing)
    sys.exit(0)
sys.exit(1)
"""


def run_object(
    run_id: int,
    *,
    event: str = "schedule",
    branch: str = "main",
    repo: str = REPO,
    head_repo: str | None = None,
    workflow: str = NIGHTLY,
    head_sha: str = ON_MAIN,
) -> dict[str, Any]:
    """A workflow-run object as `GET /repos/{owner}/{repo}/actions/runs/{id}` gives it (the fields read)."""
    return {
        "id": run_id,
        "name": "Nightly license audit",
        "event": event,
        "status": "completed",
        "conclusion": "failure",
        "head_branch": branch,
        "head_sha": head_sha,
        "path": f".github/workflows/{workflow}",
        "repository": {"full_name": repo},
        "head_repository": {"full_name": head_repo or repo},
        "html_url": f"https://github.com/{repo}/actions/runs/{run_id}",
    }


def install(
    tmp: Path, runs: dict[int, dict[str, Any]], artifacts: dict[int, dict[str, str]], default_branch: str = "main"
) -> dict[str, str]:
    """Put the fake `gh` (and `python`, this interpreter) in tmp/bin; return the environment for a step."""
    state = tmp / "gh-state"
    state.mkdir()
    (state / "runs.json").write_text(
        json.dumps(
            {
                "repo": REPO,
                "default_branch": default_branch,
                "tip": TIP,
                "on_main": [ON_MAIN],
                "runs": {str(k): v for k, v in runs.items()},
            }
        )
    )
    for run_id, files in artifacts.items():
        folder = state / "artifacts" / str(run_id)
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text)
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"#!{sys.executable}\n{_SCRIPT}")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    (bin_dir / "python").symlink_to(sys.executable)
    root = str(Path(__file__).resolve().parents[2])
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_GH_STATE": str(state),
        "PYTHONPATH": root,
        "GITHUB_REPOSITORY": REPO,
        "HOME": str(tmp),
    }


def calls(tmp: Path) -> list[list[str]]:
    log = tmp / "gh-state" / "calls.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def downloads(tmp: Path) -> list[str]:
    """The run ids `gh run download` was asked for, in order."""
    return [c[2] for c in calls(tmp) if c[:2] == ["run", "download"]]
