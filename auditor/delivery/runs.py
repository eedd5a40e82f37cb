"""Which earlier workflow runs' artifacts a workflow may read: only those of the audit workflow's
own runs, on the repository's default branch, from this repository, never from a pull request.

    python -m auditor.delivery.runs check RUN_ID --workflow nightly-audit.yml
    python -m auditor.delivery.runs list --workflow nightly-audit.yml --exclude "$GITHUB_RUN_ID"

`check` is for license-apply.yml: the run id a person types is refused (exit 2, naming why) unless
it is such a run, so a report made by a pull request's code, on another branch or in a fork, or by
another workflow never becomes a plan. `list` is for the nightly baseline and history lookup:
the ids of such completed runs, newest first, one a line (refused runs are named on stderr).

A run is read from GitHub's REST API through the `gh` command line (`gh api
repos/OWNER/REPO/actions/runs/ID`): the workflow-run object there carries the workflow file
(`path`), the `event`, the `head_branch` and the `head_repository` a run's code came from;
`gh run view --json` has no field for the head repository. The repository and its default
branch come from `GITHUB_REPOSITORY` and `gh api repos/OWNER/REPO`.

A run's `head_branch` is only a name: a run started by pushing a tag named like the default
branch carries that name too. So the run's commit (`head_sha`) must also be reachable from the
default branch: `gh api repos/OWNER/REPO/branches/BRANCH` gives the branch's newest commit (the
branches endpoint resolves branches only, never a tag), and the compare API
(`repos/OWNER/REPO/compare/TIP...HEAD_SHA`) must answer `identical` or `behind` (the run's commit
is the tip or one of its ancestors); `ahead` or `diverged` is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from auditor.common.errors import EXIT_COLLECTION, EXIT_OK, EXIT_USAGE, clean_message
from auditor.common.json_value import JsonObject
from auditor.common.numbers import english_count

# Events whose run may execute a pull request's code or be started by its author: their
# artifacts are never read, whatever branch the run names.
PULL_REQUEST_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"}
)
WORKFLOWS_DIR = ".github/workflows/"
GH_TIMEOUT = 120  # seconds for one gh call


class GhError(Exception):
    """`gh` failed or answered with something that is not the JSON asked for."""


@dataclass(frozen=True)
class Trusted:
    """What a run must be for its artifacts to be read."""

    repository: str  # OWNER/REPO
    workflow: str  # the workflow's file name in .github/workflows, e.g. nightly-audit.yml
    branch: str  # the repository's default branch
    tip: str = ""  # the default branch's newest commit (gh api repos/OWNER/REPO/branches/BRANCH)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _full_name(repo: Any) -> str:
    return _text(repo.get("full_name")) if isinstance(repo, Mapping) else ""


def workflow_file(path: str, repository: str) -> str:
    """The workflow file a run's `path` names, as .github/workflows/NAME ("" for none).

    The API gives `.github/workflows/NAME`; the form `OWNER/REPO/.github/workflows/NAME@REF`
    (as in `github.workflow_ref`) is read too."""
    path = path.split("@", 1)[0]
    prefix = repository.lower() + "/"
    if path.lower().startswith(prefix):
        path = path[len(prefix) :]
    return path if path.startswith(WORKFLOWS_DIR) else ""


def refusal(run: Any, trusted: Trusted) -> str | None:
    """Why the artifacts of `run` (a REST workflow-run object) must not be read, or None."""
    if not isinstance(run, Mapping):
        return "GitHub did not describe the run"
    repository = _full_name(run.get("repository"))
    if repository.lower() != trusted.repository.lower():
        return f"it ran in {repository or 'an unknown repository'}, not in {trusted.repository}"
    head = _full_name(run.get("head_repository"))
    if head.lower() != trusted.repository.lower():
        return f"its code came from {head or 'an unknown repository'} (a fork), not from {trusted.repository}"
    event = _text(run.get("event"))
    if not event or event in PULL_REQUEST_EVENTS:
        return f"it was started by a pull request ({event})" if event else "GitHub names no event that started it"
    branch = _text(run.get("head_branch"))
    if branch != trusted.branch:
        where = f"branch {branch}" if branch else "no branch"
        return f"it ran on {where}, not on the default branch {trusted.branch}"
    expected = WORKFLOWS_DIR + trusted.workflow
    found = workflow_file(_text(run.get("path")), trusted.repository)
    if found != expected:
        return f"it is a run of {found or _text(run.get('path')) or 'an unknown workflow'}, not of {expected}"
    return None


# --- gh -------------------------------------------------------------------------------------------


def gh_json(endpoint: str) -> Any:
    """`gh api ENDPOINT` as JSON; GhError when gh fails or answers something else."""
    try:
        done = subprocess.run(["gh", "api", endpoint], capture_output=True, text=True, timeout=GH_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GhError(f"gh api {endpoint}: {exc}") from None
    if done.returncode != 0:
        raise GhError(f"gh api {endpoint}: exit {done.returncode}: {done.stderr.strip()[:300]}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise GhError(f"gh api {endpoint}: the answer is not JSON") from None


def trusted_for(repository: str, workflow: str) -> Trusted:
    """The repository's default branch (read from GitHub) with `repository` and `workflow`."""
    repo = gh_json(f"repos/{repository}")
    branch = _text(repo.get("default_branch")) if isinstance(repo, Mapping) else ""
    if not branch:
        raise GhError(f"gh api repos/{repository}: no default_branch in the answer")
    head = gh_json(f"repos/{repository}/branches/{quote(branch, safe='')}")
    commit = head.get("commit") if isinstance(head, Mapping) else None
    tip = _text(commit.get("sha")) if isinstance(commit, Mapping) else ""
    if not _is_sha(tip):
        raise GhError(f"gh api repos/{repository}/branches/{branch}: no commit sha in the answer")
    return Trusted(repository, workflow, branch, tip.lower())


def _is_sha(text: str) -> bool:
    return len(text) == 40 and all(c in "0123456789abcdefABCDEF" for c in text)


def off_branch(run: Mapping[str, object], trusted: Trusted) -> str | None:
    """Why the run's commit is not on the default branch (the compare API), or None."""
    sha = _text(run.get("head_sha"))
    if not _is_sha(sha):
        return "GitHub names no commit (head_sha) for it"
    answer = gh_json(f"repos/{trusted.repository}/compare/{trusted.tip}...{sha.lower()}")
    status = _text(answer.get("status")) if isinstance(answer, Mapping) else ""
    if status in ("identical", "behind"):
        return None
    return (
        f"its commit {sha[:12]} is not on the default branch {trusted.branch} (the compare API says "
        f"{status or 'nothing'}; a tag or another branch named {_text(run.get('head_branch'))!r} is not it)"
    )


def checked(run: Any, trusted: Trusted) -> str | None:
    """refusal(), then (for a run that passes it) off_branch()."""
    return refusal(run, trusted) or off_branch(run, trusted)


def check_run(run_id: str, trusted: Trusted) -> tuple[Any, str | None]:
    run = gh_json(f"repos/{trusted.repository}/actions/runs/{run_id}")
    if isinstance(run, Mapping) and str(run.get("id")) != run_id:
        return run, f"GitHub answered with run {run.get('id')!r}"
    return run, checked(run, trusted)


def list_runs(trusted: Trusted, limit: int) -> list[JsonObject]:
    """The workflow's newest completed runs on the default branch, as GitHub lists them (unchecked)."""
    answer = gh_json(
        f"repos/{trusted.repository}/actions/workflows/{quote(trusted.workflow, safe='')}/runs"
        f"?branch={quote(trusted.branch, safe='')}&status=completed&per_page={limit}"
    )
    runs = answer.get("workflow_runs") if isinstance(answer, Mapping) else None
    if not isinstance(runs, list):
        raise GhError("the list of runs has no workflow_runs")
    return [r for r in runs if isinstance(r, Mapping)]


# --- command line -----------------------------------------------------------------------------------


def _say(text: str, command: str = "") -> None:
    """One line on stderr; `command` ("::error::") is the workflow command it starts with, outside
    the cleaned text, so nothing GitHub answered can start another."""
    print(command + clean_message(text), file=sys.stderr)


def _run_id(text: str) -> str:
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise argparse.ArgumentTypeError("must be the number of a workflow run")
    return text


def _workflow(text: str) -> str:
    name = text.rsplit("/", 1)[-1]
    if not name or not name.endswith((".yml", ".yaml")) or not all(c.isalnum() or c in "._-" for c in name):
        raise argparse.ArgumentTypeError(f"{text!r} is not a workflow file name (NAME.yml)")
    return name


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m auditor.delivery.runs",
        description="Check that workflow runs are ones whose artifacts may be read.",
        allow_abbrev=False,  # a prefix of an option is not taken for it (as the command line's parsers)
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="refuse (exit 2) a run that is not the workflow's on the default branch", allow_abbrev=False
    )
    check.add_argument("run_id", type=_run_id)
    listing = commands.add_parser(
        "list", help="ids of the workflow's completed runs whose artifacts may be read", allow_abbrev=False
    )
    listing.add_argument("--limit", type=int, default=20, choices=range(1, 101), metavar="1-100")
    listing.add_argument("--exclude", type=_run_id, action="append", default=[], help="a run id to leave out")
    for sub in (check, listing):
        sub.add_argument("--workflow", type=_workflow, required=True, help="the workflow file (NAME.yml)")
        sub.add_argument("--repo", default=env.get("GITHUB_REPOSITORY", ""), help="OWNER/REPO (GITHUB_REPOSITORY)")
    args = parser.parse_args(argv)
    if args.repo.count("/") != 1:
        _say(f"error: --repo {args.repo!r} is not OWNER/REPO (is GITHUB_REPOSITORY set?)")
        return EXIT_USAGE
    try:
        trusted = trusted_for(args.repo, args.workflow)
        if args.command == "check":
            run, why = check_run(args.run_id, trusted)
            if why is not None:
                _say(
                    f"run {args.run_id} is not a run of {args.workflow} on {trusted.branch} in "
                    f"{trusted.repository}: {why}. Its artifacts are not read.",
                    "::error::",
                )
                return EXIT_USAGE
            _say(
                f"run {args.run_id}: {args.workflow} on {trusted.branch} ({_text(run.get('event'))}), "
                f"{_text(run.get('html_url'))}"
            )
            return EXIT_OK
        refused = 0
        for run in list_runs(trusted, args.limit):
            run_id = str(run.get("id"))
            if run_id in args.exclude:
                continue
            why = checked(run, trusted)
            if why is None:
                print(run_id)
            else:
                refused += 1
                _say(f"run {run_id} left out: {why}")
        if refused:
            _say(f"{english_count(refused, 'run', 'runs')} of the list left out: their artifacts are not read")
        return EXIT_OK
    except GhError as exc:
        _say(f"cannot read the runs from GitHub: {exc}", "::error::" if args.command == "check" else "::warning::")
        return EXIT_COLLECTION


if __name__ == "__main__":
    sys.exit(main())
