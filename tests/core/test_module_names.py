"""A module's file name under auditor/ is unique where a newcomer would confuse two (issue 49): four
`usage_reports.py` and later four `license_insight.py` each held a different stage of one topic.

A repeated name is allowed only when it is listed here with its reason: either a convention any
package may follow (CONVENTIONS), or one judged pair, pinned to its paths (PAIRS), so that a third
file of that name still fails. `__init__.py` and `__main__.py` are not counted."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_COUNTED = frozenset(("__init__.py", "__main__.py"))

# a name every package of a kind may use: the package's own name says whose it is
CONVENTIONS = {
    "arguments.py": "a package's command-line flags, parsed without loading the code that runs them",
    "options.py": "the settings a package's flags become",
    "command.py": "a subcommand's entry point (plan, migrate)",
    "run.py": "what a package's command runs (apply, fleet, merge)",
    "document.py": "the JSON document a package's output is built from (report, merged report, migration)",
    "write.py": "writes a package's files (report, plan, migration, snapshot)",
    "base.py": "what a family of rules shares (auditor/rules/ and each rules/<family>/)",
    # a vendor is one folder (auditor/vendors/<name>/, docs/architecture.md "Where a vendor lives"): the same
    # parts under the vendor's name, and the one client base under them all (auditor/vendors/client.py)
    "client.py": "a vendor's API client (auditor/vendors/<name>/), the base under them, Graph's (auditor/graph/)",
    "requests.py": "the requests a vendor's change sends (auditor/vendors/<name>/); what the rules read (rules/)",
    "writes.py": "a distributor's session for apply and undo (auditor/vendors/<name>/)",
    "records.py": "a vendor's records at the border (auditor/vendors/<name>/), or the migration plan's",
    "tickets.py": "a PSA's ticket calls (auditor/vendors/<name>/); the `tickets` command (fleet/)",
    "mapping.py": "a vendor's own record of the customer a tenants entry names (auditor/vendors/<name>/); "
    "a migration's user mapping (migration/)",
}

# one pair each, read and judged not confusing: the folder says which stage or which document
PAIRS = {
    "currency.py": (
        {"auditor/common/currency.py", "auditor/vendors/halo/currency.py"},
        "common/ checks an ISO 4217 code; vendors/halo/ reads Halo's currency symbol as one",
    ),
    "groups.py": (
        {"auditor/graph/groups.py", "auditor/apply/groups.py"},
        "graph/ names each reader by its Graph resource; apply/ re-reads the one group a change touches",
    ),
    "digest.py": (
        {"auditor/report/digest.py", "auditor/report/view/digest.py"},
        "report/ writes the digest's files, report/view/ builds what they show",
    ),
    "commerce.py": (
        {"auditor/plan/commerce.py", "auditor/apply/commerce.py"},
        "plan/ lists the commerce changes (plan.json bill.commerce), apply/ makes them",
    ),
    "copilot_history.py": (
        {"auditor/insights/copilot_history.py", "auditor/report/view/copilot_history.py"},
        "insights/ reads the Copilot seats' nights into report.json's trends, report/view/ builds the rows shown",
    ),
    "invoices.py": (
        {"auditor/billing/invoices.py", "auditor/vendors/pax8/invoices.py"},
        "billing/ holds the invoice lines every source gives; vendors/pax8/ reads Pax8's",
    ),
    "facts.py": (
        {"auditor/billing/facts.py", "auditor/migration/facts.py"},
        "each is its own document's facts: report.json billing_facts, migration.json facts",
    ),
}


def repeated_names(root: Path) -> dict[str, list[str]]:
    """Every module file name found more than once below `root/auditor`, with its paths from `root`."""
    paths: dict[str, list[str]] = defaultdict(list)
    for path in sorted((root / "auditor").rglob("*.py")):
        if path.name not in NOT_COUNTED:
            paths[path.name].append(path.relative_to(root).as_posix())
    return {name: found for name, found in sorted(paths.items()) if len(found) > 1}


def unexplained(repeats: dict[str, list[str]]) -> list[str]:
    """The repeats neither a convention nor a listed pair explains, one line each naming their paths."""
    return [
        f"{name}: {', '.join(found)}"
        for name, found in repeats.items()
        if name not in CONVENTIONS and not (name in PAIRS and set(found) <= PAIRS[name][0])
    ]


def test_a_module_name_is_unique_or_listed() -> None:
    new = unexplained(repeated_names(ROOT))
    assert not new, (
        "these module names are repeated under auditor/:\n  " + "\n  ".join(new) + "\n"
        "Rename the new file so its name says what it holds (git mv, then its imports and the docs that "
        "name it), or, if no one would confuse them, add the name to CONVENTIONS or PAIRS in "
        "tests/core/test_module_names.py with a one-line reason."
    )


def test_every_listed_name_is_still_repeated() -> None:
    repeats = repeated_names(ROOT)
    stale = [name for name in CONVENTIONS if name not in repeats]
    stale += [name for name, (paths, _) in PAIRS.items() if set(repeats.get(name, ())) != paths]
    assert not stale, "no longer repeated as listed; drop or correct them in tests/core/test_module_names.py: " + (
        ", ".join(stale)
    )


def test_the_check_finds_a_new_repeat(tmp_path: Path) -> None:
    for name in (
        "a/__init__.py",
        "b/__init__.py",
        "a/totals.py",
        "b/totals.py",
        "a/run.py",
        "b/run.py",
        "graph/groups.py",
        "apply/groups.py",
        "impact/groups.py",
        "c/once.py",
    ):
        (tmp_path / "auditor" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "auditor" / name).write_text("", "utf-8")
    repeats = repeated_names(tmp_path)
    assert set(repeats) == {"totals.py", "run.py", "groups.py"}
    assert unexplained(repeats) == [
        "groups.py: auditor/apply/groups.py, auditor/graph/groups.py, auditor/impact/groups.py",
        "totals.py: auditor/a/totals.py, auditor/b/totals.py",
    ]
