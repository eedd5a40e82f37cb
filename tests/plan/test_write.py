"""plan.json, the $batch bodies and plan.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.plan.compile import ChangePlan, compile_plan
from auditor.plan.write import BATCH_LIMIT, batch_bodies, json_text, plan_document, plan_markdown, write_plan

from .builders import (
    FORBIDDEN,
    G_E3,
    G_E5,
    NOT_ALLOWED,
    REQUIRED,
    assign,
    finding,
    join,
    leave,
    lookup,
    report,
    reprocess,
    seat,
    uid,
)

U1 = uid(1)
SEATS = [seat("SPE_E5", 1000, 500, price=57.0), seat("SPE_E3", 1000, 500, price=33.75), seat("VISIOCLIENT", 50, 5)]
CREATED = "2026-11-23T08:00:00Z"
XSS = "<script>alert(1)</script>"
MD = "**bold** | [click](https://evil.example/x) ![img](https://evil.example/i.png) `code` # head"


def _removals(n: int) -> list[dict[str, Any]]:
    return [finding(f"f{i}", FORBIDDEN, uid(i), [assign(uid(i), remove=["SPE_E5"])]) for i in range(1, n + 1)]


def test_plan_json_has_the_documented_fields() -> None:
    doc = report(
        [
            finding(
                "f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1}), leave(U1, G_E5, {"SPE_E5": -1}), reprocess(U1)]
            ),
            finding("f2", FORBIDDEN, uid(2), [lookup()]),
        ],
        SEATS,
    )
    out = plan_document(compile_plan(doc, rules=[NOT_ALLOWED, FORBIDDEN]), created_at=CREATED)
    assert list(out) == [
        "plan_version",
        "tenant_id",
        "tenant_name",
        "cloud",
        "report_generated_at",
        "report_collected_at",
        "created_at",
        "policy_files",
        "policy_sha256",
        "filters",
        "currency",
        "net_monthly",
        "unpriced",
        "changes",
        "seats",
        "stopped",
        "skipped",
    ]
    assert out["plan_version"] == 1
    assert (out["tenant_name"], out["cloud"], out["created_at"]) == ("Contoso", "worldwide", CREATED)
    assert out["report_generated_at"] == doc.generated_at
    assert out["filters"] == {"rules": [NOT_ALLOWED, FORBIDDEN], "min_severity": None, "findings": None}
    assert (out["currency"], out["net_monthly"], out["unpriced"]) == ("EUR", 23.25, [])
    assert list(out["changes"][0]) == [
        "n",
        "kind",
        "method",
        "path",
        "body",
        "description",
        "user",
        "group",
        "precondition",
        "seats",
        "findings",
        "depends_on",
    ]
    assert [(c["n"], c["kind"], c["depends_on"]) for c in out["changes"]] == [
        (1, "add_member", []),
        (2, "remove_member", [1]),
        (3, "reprocess", [1, 2]),
    ]
    assert out["seats"] == {
        "SPE_E3": {"usable": 1000, "consumed": 500, "after": 501},
        "SPE_E5": {"usable": 1000, "consumed": 500, "after": 499},
    }
    assert out["stopped"] is None
    assert out["skipped"] == [
        {
            "finding": "f2",
            "rule": FORBIDDEN,
            "reason": "lookup",
            "subject": "User 0002",
            "description": out["skipped"][0]["description"],
        }
    ]
    json.dumps(out)  # plain JSON


def test_a_stopped_plan_names_the_change_product_and_seats() -> None:
    doc = report([finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])])], [seat("SPE_E3", 4, 4)])
    out = json.loads(json_text(plan_document(compile_plan(doc), created_at=CREATED)))  # as plan.json holds it
    assert out["changes"] == []
    assert out["stopped"] == {
        "n": 1,
        "sku": "SPE_E3",
        "usable": 4,
        "needed": 5,
        "reason": "no free seat: CountViolation",
        "description": out["stopped"]["description"],
        "method": "POST",
        "path": f"/users/{U1}/assignLicense",
    }


# --- $batch -----------------------------------------------------------------------------------------


def _requests(batches: list[dict[str, Any]]) -> list[list[str]]:
    return [[r["id"] for r in b["requests"]] for b in batches]


def test_batches_hold_at_most_twenty_requests_each_running_after_the_one_before() -> None:
    plan = compile_plan(report(_removals(45), SEATS))
    batches = batch_bodies(plan.changes)
    assert [len(b["requests"]) for b in batches] == [20, 20, 5]
    assert _requests(batches)[1][0] == "21"
    for batch in batches:
        first, *rest = batch["requests"]
        assert "dependsOn" not in first
        for before, request in zip(batch["requests"], rest, strict=False):
            assert request["dependsOn"] == [before["id"]]
    request = batches[0]["requests"][0]
    assert request == {
        "id": "1",
        "method": "POST",
        "url": f"/users/{uid(1)}/assignLicense",
        "headers": {"Content-Type": "application/json"},
        "body": {"addLicenses": [], "removeLicenses": [plan.changes[0].body["removeLicenses"][0]]},
    }


def test_a_users_chain_is_not_split_across_batches() -> None:
    # 19 single removals, then a user with a join, a leave and a reprocess that depend on each other
    u = uid(99)
    chain = [join(u, G_E3, {"SPE_E3": 1}), leave(u, G_E5, {"SPE_E5": -1}), reprocess(u)]
    doc = report([*_removals(19), finding("fx", NOT_ALLOWED, u, chain)], SEATS)
    plan = compile_plan(doc)
    batches = batch_bodies(plan.changes)
    assert [len(b["requests"]) for b in batches] == [19, 3]
    assert {r["url"].split("/")[2] for r in batches[1]["requests"]} >= {G_E3}
    _assert_dependencies_in_reach(plan, batches)


def test_a_chain_longer_than_a_batch_is_split_in_order() -> None:
    groups = [f"9a8b0000-0000-0000-0000-{i:012d}" for i in range(25)]
    doc = report([finding("f1", FORBIDDEN, U1, [leave(U1, g, {}) for g in groups] + [reprocess(U1)])], SEATS)
    plan = compile_plan(doc)
    batches = batch_bodies(plan.changes)
    assert [len(b["requests"]) for b in batches] == [BATCH_LIMIT, 6]
    _assert_dependencies_in_reach(plan, batches)


def _assert_dependencies_in_reach(plan: ChangePlan, batches: list[dict[str, Any]]) -> None:
    """A change's depends_on lies in its own batch or an earlier one, and dependsOn only names its own batch."""
    batch_of = {int(r["id"]): i for i, b in enumerate(batches) for r in b["requests"]}
    for change in plan.changes:
        assert all(batch_of[d] <= batch_of[change.n] for d in change.depends_on)
    for batch in batches:
        ids = {r["id"] for r in batch["requests"]}
        assert all(set(r.get("dependsOn", [])) <= ids for r in batch["requests"])


# --- files ------------------------------------------------------------------------------------------


def test_write_plan_writes_the_files_and_removes_batches_an_earlier_plan_left(tmp_path: Path) -> None:
    first = write_plan(compile_plan(report(_removals(30), SEATS)), tmp_path, created_at=CREATED)
    assert [p.name for p in first] == ["plan.json", "plan.md", "batch-001.json", "batch-002.json"]
    (tmp_path / "batch-003.json").write_text("{}")  # from an even older plan
    (tmp_path / "batch-notes.json").write_text("{}")  # not a batch body: kept
    second = write_plan(compile_plan(report(_removals(2), SEATS)), tmp_path, created_at=CREATED)
    assert [p.name for p in second] == ["plan.json", "plan.md", "batch-001.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch-001.json", "batch-notes.json", "plan.json", "plan.md"]
    assert len(json.loads((tmp_path / "plan.json").read_text())["changes"]) == 2
    assert len(json.loads((tmp_path / "batch-001.json").read_text())["requests"]) == 2


def test_an_empty_plan_writes_no_batch(tmp_path: Path) -> None:
    written = write_plan(compile_plan(report([], SEATS)), tmp_path, created_at=CREATED)
    assert [p.name for p in written] == ["plan.json", "plan.md"]


# --- plan.md ----------------------------------------------------------------------------------------


def test_plan_md_lists_changes_seats_cost_stop_and_what_needs_a_person() -> None:
    seats = [
        seat("SPE_E5", 10, 10, price=57.0, name="Microsoft 365 E5"),
        seat("SPE_E3", 10, 10, price=33.75),
        seat("VISIOCLIENT", 2, 2),
    ]
    doc = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"], description="Remove E5 from Ann.")]),
            finding("f2", REQUIRED, uid(2), [assign(uid(2), add=["VISIOCLIENT"])]),
            finding("f3", FORBIDDEN, uid(3), [lookup(description="List who holds E5.")]),
        ],
        seats,
    )
    text = plan_markdown(compile_plan(doc), created_at=CREATED)
    assert (
        "**1 change, lowering license costs by €57\\.00 a month; stops at change 2\\: no free Visio Plan 2 seat; "
        "2 findings need a person**" in text
    )
    user = U1.replace("-", "\\-")
    # what the change does, from its call (not the action's "Remove E5 from Ann.")
    assert (
        f"1. Remove Microsoft 365 E5 from User 0001 \\(0001\\@<!-- -->contoso\\.example\\)  \n"
        f"   POST \\/users\\/{user}\\/assignLicense  \n"
    ) in text
    assert "Ann" not in text
    assert "| Microsoft 365 E5 | 10 | 10 | 9 | €57\\.00 |" in text
    assert "The plan stops before change 2" in text and "it needs 3 VISIOCLIENT seats, more than the 2 usable" in text
    assert "| f3 | sku\\-forbidden | User 0003 | someone must look something up first | List who holds E5\\. |" in text
    assert "| f2 | sku\\-required\\-missing | User 0002 | after the point where the plan stops |  |" in text


def test_plan_md_escapes_what_the_tenant_wrote() -> None:
    doc = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"], description=f"Remove E5 from {MD}")]),
            finding("f2", FORBIDDEN, uid(2), [lookup(description=f"Ask {XSS}")], name=MD),
        ],
        SEATS,
        tenant_name=f"{XSS} {MD}",
    )
    text = plan_markdown(compile_plan(doc), created_at=CREATED)
    for raw in ("<script>", "](https://", "![img]", "`code`", "**bold**", "| [click]"):
        assert raw not in text
    assert "&lt;script&gt;alert\\(1\\)&lt;\\/script&gt;" in text
    assert "\\*\\*bold\\*\\* \\| \\[click\\]\\(https\\:\\/\\/evil\\.example\\/x\\)" in text


def test_plan_md_speaks_the_reports_language() -> None:
    doc = report(_removals(2), SEATS, locale="nl")
    text = plan_markdown(compile_plan(doc), created_at=CREATED)
    assert text.startswith("## Plan voor licentiewijzigingen: Contoso\n")
    assert "**2 wijzigingen, licentiekosten €\u00a0114,00 per maand lager**" in text


def test_plan_md_shows_counts_seats_and_cost_before_the_changes() -> None:
    """A reviewer whose view is cut (the job summary) still sees the plan's size, seats and cost."""
    doc = report(
        [
            finding("f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1}), leave(U1, G_E5, {"SPE_E5": -1})]),
            *_removals(3)[1:],
            finding("f9", FORBIDDEN, uid(9), [lookup()]),
        ],
        SEATS,
    )
    text = plan_markdown(compile_plan(doc), created_at=CREATED)
    order = [
        text.index(heading)
        for heading in (
            "**4 changes",
            "| Kind of change | Changes |",
            "### Seats before and after",
            "### Changes, in the order they run",
            "1. ",
            "### Findings that need a person",
        )
    ]
    assert order == sorted(order), order
    assert "| Group joined | 1 |\n| Licenses assigned or removed \\(assignLicense\\) | 2 |\n| Group left | 1 |" in text
