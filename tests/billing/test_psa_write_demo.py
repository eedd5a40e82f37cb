"""`apply PLAN --psa --demo` and `undo --psa --demo` (issue 118, point 3): the quantity the customer is billed
written back into the PSA, on the plans of `audit --demo --tenants`, through the real command line. The sample
MSP's PSAs are served by their stand-ins (Contoso's ConnectWise agreement, Fabrikam's Autotask contract,
Northwind's Halo recurring invoice) and what the writes leave is kept in demo-psa.json beside each plan.

Each tenant's bundled policy names the rule (`psa_quantity:`): Fabrikam bills what is assigned, Northwind what
the distributor bills, Contoso what is assigned but E3 the larger of the two. The expected quantities are
derived here from the report's three-way table and the plan's bill, never from the planner's code. An edited
psa change (every field, the rule among them) is refused with nothing sent; undo puts each quantity back, as
the PSA's record read afterwards shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from tests.demo_runs import DemoRuns, pin_environment

MOMENT = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)  # the demo's moment: apply's and undo's clock


# the three sample tenants audited and planned, in the working directory's reports/tenants
RUN = (
    ("audit", "--demo", "--tenants", "--fail-on", "never"),
    *(("plan", "--report-dir", f"reports/tenants/{tenant}") for tenant in ("contoso", "fabrikam", "northwind")),
)
PINS: dict[str, str | None] = {"SOURCE_DATE_EPOCH": "1794981600"}  # 2026-11-18T06:00Z
# the demo gives the stand-ins' own
PINS |= dict.fromkeys(("AUTOTASK_SECRET", "CW_PRIVATE_KEY", "HALO_CLIENT_SECRET", "PAX8_CLIENT_SECRET"))
PINS |= dict.fromkeys(("PAX8_CLIENT_ID", "SHERWEB_CLIENT_ID", "SHERWEB_CLIENT_SECRET", "SHERWEB_SUBSCRIPTION_KEY"))


def _audited_and_planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: DemoRuns | None = None) -> Path:
    """The three sample tenants audited and planned in tmp_path/reports/tenants, apply's clock the demo's:
    run here, or (`runs`: the stand-ins as shipped) the session's one run of RUN, copied into tmp_path."""
    monkeypatch.chdir(tmp_path)
    pin_environment(monkeypatch, PINS)
    monkeypatch.setattr("auditor.apply.run.clock", lambda: MOMENT)
    if runs is not None:
        run = runs.run(RUN, PINS)
        assert run.codes == (0, 0, 0, 0)
        run.copy_to(tmp_path)
    else:
        assert [main(list(argv)) for argv in RUN] == [0, 0, 0, 0]
    return tmp_path / "reports" / "tenants"


@pytest.fixture
def fleet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, virtual_graph_time: Any, demo_runs: DemoRuns
) -> Iterator[Path]:
    """The three sample tenants audited and planned in tmp_path/reports/tenants, apply's clock the demo's."""
    yield _audited_and_planned(tmp_path, monkeypatch, demo_runs)


def _read(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text("utf-8"))


def _expected(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Each product's (quantity now, quantity by the policy's rule, rule) on its one billable line, from the
    report's three-way table and the plan's bill (the seats assigned after the plan), where the two differ."""
    psa = _read(folder, "report.json")["psa"]
    after = {p["sku"]: p["assigned_after"] for p in _read(folder, "plan.json")["bill"]["products"]}
    out = {}
    for row in psa["products"]:
        rule = psa["quantity_rules"].get(row["sku"])
        billable = [line for line in row["lines"] if line["billable"]]
        if rule is None or len(billable) != 1:
            continue
        assigned, billed = after.get(row["sku"], row["assigned"]), row["distributor_billed"]
        if rule != "assigned" and billed is None:
            continue
        wanted = {"assigned": assigned, "distributor": billed, "larger": max(assigned, billed or 0)}[rule]
        to = wanted + billable[0]["less_included"]
        if to != billable[0]["quantity"]:
            out[row["sku"]] = (billable[0]["quantity"], to, rule)
    return out


def _quantities(folder: Path) -> dict[str, int]:
    """Each line's quantity in the PSA as the writes left it (demo-psa.json), by the line's id: ConnectWise's
    additions, Autotask's units of the period the plan's day falls in, Halo's recurring invoice lines."""
    kept = _read(folder, "demo-psa.json")
    out = {str(a["id"]): a["quantity"] for agreement in kept["connectwise_additions"].values() for a in agreement}
    out |= {
        str(u["contractServiceID"]): u["units"]
        for u in kept["autotask_units"]
        if u["startDate"][:10] <= "2026-11-18" <= u["endDate"][:10]
    }
    out |= {str(line["id"]): line["qty_order"] for i in kept["halo_invoices"] for line in i["lines"]}
    return out


def test_the_demos_psa_quantities_are_set_and_set_back_offline(fleet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    planned: dict[str, list[dict[str, Any]]] = {}
    for tenant, psa in (("fabrikam", "autotask"), ("northwind", "halo"), ("contoso", "connectwise")):
        folder = fleet / tenant
        changes = _read(folder, "plan.json")["bill"]["psa"]
        assert {c["sku"]: (c["from"], c["to"], c["rule"]) for c in changes} == _expected(folder), tenant
        assert {c["source"] for c in changes} == {psa}
        planned[tenant] = changes
    # the example, each PSA once: Fabrikam billed 45 E3 where 40 are assigned; Northwind's E5 kept at 7
    # by hand where Pax8 bills 12; Contoso's E3 billed 200 where Pax8 bills 210
    said = {(t, c["sku"]): (c["from"], c["to"]) for t, cs in planned.items() for c in cs}
    assert said[("fabrikam", "SPE_E3")] == (45, 40)
    assert said[("northwind", "SPE_E5")] == (7, 12)
    assert said[("contoso", "SPE_E3")] == (200, 210)
    plan_md = (fleet / "fabrikam" / "plan.md").read_text("utf-8")
    assert r"apply \-\-psa" in plan_md and r"POST \/ContractServiceAdjustments" in plan_md  # Markdown-escaped
    assert r"Set Microsoft 365 E3 in Autotask \(agreement 29684801\) from 45 to 40" in plan_md
    # a dry run sends nothing and keeps nothing
    capsys.readouterr()
    assert main(["apply", str(fleet / "fabrikam" / "plan.json"), "--psa", "--demo"]) == 0
    assert capsys.readouterr().out.count("-> would apply") == len(planned["fabrikam"])
    assert not (fleet / "fabrikam" / "demo-psa.json").exists()
    for tenant, changes in planned.items():
        folder = fleet / tenant
        assert main(["apply", str(folder / "plan.json"), "--psa", "--demo", "--yes"]) == 0, tenant
        now = _quantities(folder)
        assert {c["api_id"]: now[c["api_id"]] for c in changes} == {c["api_id"]: c["to"] for c in changes}
        (journal,) = folder.glob("psa-journal-*.jsonl")
        outcomes = [json.loads(line)["outcome"] for line in journal.read_text("utf-8").splitlines()]
        assert outcomes == ["sending", "done"] * len(changes)
    # Halo: the write posts the recurring invoice's whole line set, so its other lines stay (the stand-in takes
    # the reading that loses a line a posted list leaves out)
    kept = _read(fleet / "northwind", "demo-psa.json")["halo_invoices"]
    assert {line["id"] for i in kept for line in i["lines"]} == {70011, 70012, 70013, 70014, 70031}
    # Autotask's record is append-only: one ContractServiceAdjustment a change, its unitChange the difference
    adjustments = _read(fleet / "fabrikam", "demo-psa.json")["autotask_adjustments"]
    assert sorted((a["contractServiceID"], a["unitChange"]) for a in adjustments) == sorted(
        (int(c["api_id"]), c["to"] - c["from"]) for c in planned["fabrikam"]
    )
    for tenant, changes in planned.items():
        folder = fleet / tenant
        assert main(["undo", str(next(folder.glob("psa-journal-*.jsonl"))), "--psa", "--demo"]) == 0
        assert "dry run: nothing was written" in capsys.readouterr().out
        assert _quantities(folder)[changes[0]["api_id"]] == changes[0]["to"]
        assert main(["undo", str(next(folder.glob("psa-journal-*.jsonl"))), "--psa", "--demo", "--yes"]) == 0
        now = _quantities(folder)
        assert {c["api_id"]: now[c["api_id"]] for c in changes} == {c["api_id"]: c["from"] for c in changes}
    # undone in Autotask by a compensating adjustment each, never by an edit of the first
    adjustments = _read(fleet / "fabrikam", "demo-psa.json")["autotask_adjustments"]
    assert len(adjustments) == 2 * len(planned["fabrikam"])
    assert sum(a["unitChange"] for a in adjustments) == 0
    # a second undo finds each quantity already back, and sends nothing
    folder = fleet / "northwind"
    capsys.readouterr()
    assert main(["undo", str(next(folder.glob("psa-journal-*.jsonl"))), "--psa", "--demo", "--yes"]) == 0
    assert "the quantity before the change: nothing to set back" in capsys.readouterr().out


def _leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _leaves(item, (*path, n))
    else:
        yield path


def _other(value: Any) -> Any:
    """Another value of the same kind (a number one more, a text changed, a null a day)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 1.0
    if value is None:
        return "2026-12-01"
    return {"autotask": "halo", "halo": "connectwise", "set_quantity": "undo_set_quantity"}.get(value, value + "9")


def _edited(change: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(change))
    node: Any = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = _other(node[path[-1]])
    return out


@pytest.mark.parametrize("tenant", ["fabrikam", "northwind"])
def test_every_edited_field_of_a_psa_change_is_refused_and_nothing_is_sent(
    fleet: Path, tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every field of the plan's psa change (its number aside: a position, not a fact), each edited alone in a
    copy of the change, the policy's `rule` among them: one run refuses every copy naming the field, exits 3,
    and the PSA's lines are as they were."""
    folder = fleet / tenant
    doc = _read(folder, "plan.json")
    change = doc["bill"]["psa"][-1]
    paths = [p for p in _leaves(change) if p != ("n",)]
    assert ("rule",) in paths and ("request", "body") in {p[:2] for p in paths}
    doc["bill"]["psa"] = [_edited(change, p) | {"n": n} for n, p in enumerate(paths, 1)]
    (folder / "plan.json").write_text(json.dumps(doc), "utf-8")
    before = {c["api_id"]: c["from"] for c in _read(folder, "plan.json")["bill"]["psa"]}
    capsys.readouterr()
    assert main(["apply", str(folder / "plan.json"), "--psa", "--demo", "--yes"]) == 3
    err = capsys.readouterr().err
    for n, path in enumerate(paths, 1):
        line = next((x for x in err.splitlines() if x.strip().startswith(f"P{n}. ")), "")
        assert f"refused, nothing sent: ({path[0]})" in line, (path, line, err[-800:])
    now = _quantities(folder)
    assert now[change["api_id"]] == change["from"]
    assert all(now.get(line_id, quantity) == quantity for line_id, quantity in before.items())
    assert _read(folder, "demo-psa.json")["autotask_adjustments"] == []
    (journal,) = folder.glob("psa-journal-*.jsonl")
    outcomes = {json.loads(line)["outcome"] for line in journal.read_text("utf-8").splitlines()}
    assert outcomes == {"refused"}


def test_a_company_not_proven_the_tenants_is_written_nothing(fleet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The fresh compile reads the PSA only for a company the kept mappings prove the plan's tenant's (as
    `audit --tenants` proved it): with Fabrikam's mapping changed to another Autotask company, every psa
    change is refused (exit 3) and Autotask receives no adjustment."""
    path = fleet / "mappings.json"
    kept = json.loads(path.read_text("utf-8"))
    for mapping in kept["mappings"]:
        if mapping["vendor"] == "autotask":
            mapping["customer"] = "29684713"  # Tailspin Toys, the sample MSP's other customer
    path.write_text(json.dumps(kept), "utf-8")
    folder = fleet / "fabrikam"
    changes = _read(folder, "plan.json")["bill"]["psa"]
    capsys.readouterr()
    assert main(["apply", str(folder / "plan.json"), "--psa", "--demo", "--yes"]) == 3
    err = capsys.readouterr().err
    assert err.count("refused, nothing sent") == len(changes), err[-800:]
    assert _read(folder, "demo-psa.json")["autotask_adjustments"] == []
    now = _quantities(folder)
    assert {c["api_id"]: now[c["api_id"]] for c in changes} == {c["api_id"]: c["from"] for c in changes}


def test_a_line_changed_in_the_psa_since_the_plan_is_named_and_sent_nothing(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone edits Contoso's E3 addition in ConnectWise after `plan` and before `apply --psa --yes` (the
    stand-in's record changed by hand, as demo-psa.json keeps it): that change is named, nothing is sent for
    it (the addition keeps the hand-set quantity, not the plan's `to`), the run exits 3, and the plan's other
    psa changes, on lines nobody touched, are still made."""
    from auditor_dev.commerce import sample_psa  # the stand-ins' shipped records, to edit one by hand

    folder = fleet / "contoso"
    changes = _read(folder, "plan.json")["bill"]["psa"]
    touched = next(c for c in changes if c["sku"] == "SPE_E3")
    by_hand = touched["from"] + 3  # neither the plan's `from` nor its `to`
    assert by_hand != touched["to"]
    with sample_psa() as served:
        state = served.current()
    for additions in state["connectwise_additions"].values():
        for addition in additions:
            if str(addition["id"]) == touched["api_id"]:
                addition["quantity"] = by_hand
    (folder / "demo-psa.json").write_text(json.dumps(state), "utf-8")
    capsys.readouterr()
    assert main(["apply", str(folder / "plan.json"), "--psa", "--demo", "--yes"]) == 3
    err = capsys.readouterr().err
    named = [line for line in err.splitlines() if line.strip().startswith(f"P{touched['n']}. ")]
    assert named and "nothing sent" in named[0], err[-800:]
    now = _quantities(folder)
    assert now[touched["api_id"]] == by_hand
    others = [c for c in changes if c is not touched]
    assert {c["api_id"]: now[c["api_id"]] for c in others} == {c["api_id"]: c["to"] for c in others}
    (journal,) = folder.glob("psa-journal-*.jsonl")
    lines = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    assert [x["outcome"] for x in lines if x.get("n") == touched["n"]] in (["refused"], ["skipped"])


def test_undo_psa_asks_before_each_change_back_and_yes_skips_the_question(
    fleet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`undo --psa` at a terminal, without --yes, asks before each quantity it sets back, as undo --distributor
    asks before each put-back: a no sets nothing back for that change, a yes sets it back (journaled, done when
    the PSA's record read again shows it). With --yes nobody is asked."""
    from auditor.apply import psa_undo

    folder = fleet / "fabrikam"
    changes = _read(folder, "plan.json")["bill"]["psa"]
    assert len(changes) >= 2  # one answered no, one yes
    assert main(["apply", str(folder / "plan.json"), "--psa", "--demo", "--yes"]) == 0
    journal = next(folder.glob("psa-journal-*.jsonl"))
    asked: list[str] = []

    def answer(question: str) -> bool:
        asked.append(question)
        return len(asked) > 1  # no to the first asked (the newest change), yes to the others

    monkeypatch.setattr(psa_undo, "_can_ask", lambda: True)
    monkeypatch.setattr(psa_undo, "_ask", answer)
    capsys.readouterr()
    assert main(["undo", str(journal), "--psa", "--demo"]) == 0
    out = capsys.readouterr().out
    assert len(asked) == len(changes)
    newest = max(changes, key=lambda c: c["n"])
    assert f"P{newest['n']}. " in asked[0] and f"from {newest['to']} to {newest['from']}" in asked[0]
    assert out.count("-> not set back: no yes") == 1
    (undone,) = folder.glob("psa-undo-*.jsonl")
    done = {json.loads(line)["n"] for line in undone.read_text("utf-8").splitlines() if '"done"' in line}
    assert done == {c["n"] for c in changes} - {newest["n"]}
    # with --yes nothing is asked (the first undo's changes back are left to the demo's state: Autotask's units)
    asked.clear()
    assert main(["undo", str(journal), "--psa", "--demo", "--yes"]) == 0
    assert asked == []


def test_a_product_with_a_rule_and_no_one_billable_line_is_named_not_planned(fleet: Path) -> None:
    """A product the policy gives a psa_quantity rule but the PSA bills on no billable line (Northwind's F3: its
    one Halo line is not billable; Contoso's F3: no ConnectWise addition) has no psa change, and plan.md names
    it under "Not planned" with its reason, as plan.json's bill keeps it (psa_not_planned)."""
    for tenant in ("northwind", "contoso"):
        folder = fleet / tenant
        psa = _read(folder, "report.json")["psa"]
        rules = psa["quantity_rules"]
        expected = {
            row["sku"]: sorted(line["id"] for line in row["lines"] if line["billable"])
            for row in psa["products"]
            if row["sku"] in rules and sum(line["billable"] for line in row["lines"]) != 1
        }
        assert "SPE_F1" in expected, tenant
        bill = _read(folder, "plan.json")["bill"]
        assert {s["sku"]: sorted(s["lines"]) for s in bill["psa_not_planned"]} == expected
        assert not {c["sku"] for c in bill.get("psa", [])} & set(expected)
        plan_md = (folder / "plan.md").read_text("utf-8")
        plain = plan_md.replace("\\", "")  # plan.md escapes Markdown's punctuation
        assert "Not planned:" in plain, plain[-1500:]
        said = next(line for line in plain.splitlines() if line.startswith("- Microsoft 365 F3 in "))
        assert "not planned: no billable line bills it" in said, said


def test_a_product_billed_on_two_billable_lines_is_not_planned_and_plan_md_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, virtual_graph_time: Any
) -> None:
    """Contoso's E3 billed on two billable ConnectWise additions (the shipped 20931 and a second one added here,
    both in effect on the plan's day): which one to set is not guessed, so the plan has no psa change for E3
    (the rule would change it: the distributor bills 210 where the additions hold 200 + 4), plan.json's bill
    names both lines under psa_not_planned, and plan.md says so in English."""
    from auditor_dev.commerce import connectwise  # the stand-in's shipped records, one addition added

    shipped = connectwise.sample_connectwise

    def two_e3_lines() -> tuple[Any, Any, dict[int, list[dict[str, Any]]]]:
        companies, agreements, additions = shipped()
        first = next(a for a in additions[1187] if a["product"]["identifier"] == "M365-E3")
        additions[1187].append(first | {"id": 20939, "quantity": 4})
        return companies, agreements, additions

    monkeypatch.setattr(connectwise, "sample_connectwise", two_e3_lines)
    folder = _audited_and_planned(tmp_path, monkeypatch) / "contoso"
    psa = _read(folder, "report.json")["psa"]
    (row,) = [r for r in psa["products"] if r["sku"] == "SPE_E3"]
    assert sorted((line["id"], line["billable"]) for line in row["lines"]) == [("20931", True), ("20939", True)]
    assert psa["quantity_rules"]["SPE_E3"] == "distributor" and row["distributor_billed"] not in (None, 204)
    bill = _read(folder, "plan.json")["bill"]
    assert "SPE_E3" not in {c["sku"] for c in bill.get("psa", [])}
    assert {c["api_id"] for c in bill.get("psa", [])}.isdisjoint({"20931", "20939"})
    assert {s["sku"]: sorted(s["lines"]) for s in bill["psa_not_planned"]} == {
        "SPE_E3": ["20931", "20939"],
        "SPE_F1": [],
    }
    plain = (folder / "plan.md").read_text("utf-8").replace("\\", "")  # plan.md escapes Markdown's punctuation
    said = next(line for line in plain.splitlines() if line.startswith("- Microsoft 365 E3 in "))
    assert said == (
        "- Microsoft 365 E3 in ConnectWise: not planned: it is billed on 2 lines (20931, 20939); which one to "
        "change is not guessed: set the quantity by hand, or bill it on one line"
    ), said
