"""Issue 117, a customer's mapping is proven by the vendor's own record, undo's side for the PSA: `undo --psa`
sets a quantity back only in a company the kept mappings.json (beside the plan copy, or in the folder above
it: `audit --tenants`' OUTPUT_DIR) proves the tenant's, the PSA's record of the company read again, as
`apply --psa`'s fresh compile is held to it. A journal moved away from its report folder with its plan copy
(no mappings.json reachable), or a kept mapping that names another company than the journal's change, sets
nothing back: the line says why, exit 3, the PSA's record is as apply left it. Through the real command line,
on the demo's PSA stand-ins (Fabrikam's Autotask contract)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from tests.demo_runs import DemoRuns

from .test_psa_write_demo import _audited_and_planned, _quantities, _read

OTHER_COMPANY = "29684713"  # Tailspin Toys, the sample MSP's other Autotask company


def _applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: DemoRuns
) -> tuple[Path, list[dict[str, Any]], Path]:
    """Fabrikam's psa changes made (`apply --psa --demo --yes`) on the session's demo run (audited and
    planned, copied into tmp_path): its folder, the changes, the journal."""
    folder = _audited_and_planned(tmp_path, monkeypatch, runs) / "fabrikam"
    changes = _read(folder, "plan.json")["bill"]["psa"]
    assert changes and {c["source"] for c in changes} == {"autotask"}
    assert main(["apply", str(folder / "plan.json"), "--psa", "--demo", "--yes"]) == 0
    assert _set(folder, changes) == {c["api_id"]: c["to"] for c in changes}
    (journal,) = folder.glob("psa-journal-*.jsonl")
    return folder, changes, journal


def _set(folder: Path, changes: list[dict[str, Any]]) -> dict[str, int]:
    now = _quantities(folder)
    return {c["api_id"]: now[c["api_id"]] for c in changes}


def _undo(journal: Path) -> int:
    return main(["undo", str(journal), "--psa", "--demo", "--yes"])


def test_an_undo_moved_away_from_its_kept_mapping_sets_nothing_back(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    virtual_graph_time: Any,
    demo_runs: DemoRuns,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The journal, the plan copy apply kept beside it and the demo's PSA state moved to an archive folder: no
    mappings.json beside the copy nor above it, so no company is proven; nothing is sent (Autotask receives no
    compensating adjustment) and the line names the missing file. Before the fix each quantity was set back."""
    folder, changes, journal = _applied(tmp_path, monkeypatch, demo_runs)
    (copy,) = folder.glob("plan-*.json")
    archive = tmp_path / "archive" / "2026-11"
    archive.mkdir(parents=True)
    for path in (journal, copy, folder / "demo-psa.json"):
        shutil.move(path, archive / path.name)
    capsys.readouterr()
    assert _undo(archive / journal.name) == 3
    assert _set(archive, changes) == {c["api_id"]: c["to"] for c in changes}  # nothing set back
    assert len(_read(archive, "demo-psa.json")["autotask_adjustments"]) == len(changes)  # only apply's
    err = capsys.readouterr().err
    assert f"no mappings.json beside {archive / copy.name} or in the folder above it" in err, err
    assert not (archive / "mappings.json").exists()  # nor kept there as if seen the first time


def test_an_undo_whose_kept_mapping_names_another_company_sets_nothing_back(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    virtual_graph_time: Any,
    demo_runs: DemoRuns,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """After apply, the kept mapping gives Fabrikam's tenant another Autotask company than the one the journal's
    changes were made in: the PSA company is not proven, nothing is sent, exit 3, the line names both companies.
    The mapping confirmed again (as it was): the same undo sets each quantity back."""
    folder, changes, journal = _applied(tmp_path, monkeypatch, demo_runs)
    path = folder.parent / "mappings.json"
    kept = path.read_text("utf-8")
    doc = json.loads(kept)
    (mine,) = [m for m in doc["mappings"] if m["vendor"] == "autotask" and m["customer"] != OTHER_COMPANY]
    company = mine["customer"]
    assert {c["scope"] for c in changes} == {company}
    mine["customer"] = OTHER_COMPANY
    path.write_text(json.dumps(doc), "utf-8")
    capsys.readouterr()
    assert _undo(journal) == 3
    assert _set(folder, changes) == {c["api_id"]: c["to"] for c in changes}  # nothing set back
    assert len(_read(folder, "demo-psa.json")["autotask_adjustments"]) == len(changes)
    err = capsys.readouterr().err
    said = (
        f"Autotask company {company} is not proven this tenant's: the tenants entry names Autotask customer "
        f"{company}, but the mapping confirmed"
    )
    assert said in err and f"is customer {OTHER_COMPANY}" in err, err
    path.write_text(kept, "utf-8")
    assert _undo(journal) == 0
    assert _set(folder, changes) == {c["api_id"]: c["from"] for c in changes}  # each set back
