"""`tickets --psa autotask|halo` (issue 106, step 5; CIPP#5237) and a tenants entry's existing ticket for
each of the three PSAs (CIPP#5630): one ticket per chosen finding, keyed by the finding's id and found
again the next night (nothing added), a finding no longer reported noted once; with `ticket: N` in the
entry, each chosen finding is a note on that ticket, once, and no ticket is opened."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from msgspec import UNSET

from auditor.cli import main
from auditor.rules.seats.catalog import SpareSeatsOverLimit
from auditor.vendors.autotask.client import Autotask, Credentials
from auditor.vendors.autotask.tickets import AutotaskDesk
from auditor.vendors.halo import client as halo_client
from auditor.vendors.protocols import KEY_PREFIX
from auditor_dev.commerce.autotask import SAMPLE_COMPANY as AUTOTASK_COMPANY
from auditor_dev.commerce.autotask import SAMPLE_INTEGRATION_CODE, SAMPLE_USERNAME, sample_autotask
from auditor_dev.commerce.autotask_tickets import NEW, AutotaskTicketsStandIn
from auditor_dev.commerce.connectwise import SAMPLE_CLIENT_ID, SAMPLE_MSP, SAMPLE_PUBLIC_KEY, sample_connectwise
from auditor_dev.commerce.connectwise_tickets import SAMPLE_BOARDS, ConnectWiseTicketsStandIn
from auditor_dev.commerce.halo import SAMPLE_CLIENT, HaloStandIn, sample_halo
from auditor_dev.commerce.halo import _error as halo_error
from auditor_dev.contracts.cut import KEEP

KEYS = "k3y-Made-Up-For-Tests"


@pytest.fixture
def night(audited: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    for key in ("contoso", "northwind", "fabrikam"):
        (folder / key).mkdir(parents=True)
        (folder / key / "report.json").write_bytes((audited / key / "report.json").read_bytes())
    return folder


def _tenant(folder: Path, key: str) -> str:
    return str(json.loads((folder / key / "report.json").read_text("utf-8"))["tenant"]["id"])


def _tenants(folder: Path, key: str, psa: str) -> str:
    path = folder.parent / "tenants.yaml"
    path.write_text(
        f"tenants:\n  - name: {key.title()}\n    tenant_id: {_tenant(folder, key)}\n"
        f"    client_id: 00000000-0000-0000-0000-0000000000c1\n    psa: {psa}\n",
        "utf-8",
    )
    return str(path)


def _chosen(folder: Path, key: str, *levels: str) -> set[str]:
    report = json.loads((folder / key / "report.json").read_text("utf-8"))
    return {KEY_PREFIX + f["id"] for f in report["findings"] if f["severity"] in levels and not f["waived"]}


def _halo() -> HaloStandIn:
    clients, invoices, users = sample_halo()
    return HaloStandIn(client_id="app-1", secret=KEYS, clients=clients, invoices=invoices, users=users)


def _halo_env(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name, value in (("HALO_URL", url), ("HALO_CLIENT_ID", "app-1"), ("HALO_CLIENT_SECRET", KEYS)):
        monkeypatch.setenv(name, value)


def _autotask() -> AutotaskTicketsStandIn:
    at = sample_autotask()
    # Autotask's swagger gives a contact's isActive as an integer: 1 active, 0 not
    contacts = [{"id": 30400001, "companyID": AUTOTASK_COMPANY, "emailAddress": "it@fabrikam.example", "isActive": 1},
                {"id": 30400002, "companyID": AUTOTASK_COMPANY, "emailAddress": "left@fabrikam.example",
                 "isActive": 0}]  # fmt: skip
    return AutotaskTicketsStandIn(
        integration_code=SAMPLE_INTEGRATION_CODE, username=SAMPLE_USERNAME, secret=KEYS, companies=at.companies,
        contracts=at.contracts, services=at.services, units=at.units, currencies=at.currencies, contacts=contacts,
    )  # fmt: skip


def _autotask_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOTASK_INTEGRATION_CODE", SAMPLE_INTEGRATION_CODE)
    monkeypatch.setenv("AUTOTASK_USERNAME", SAMPLE_USERNAME)
    monkeypatch.setenv("AUTOTASK_SECRET", KEYS)


def _connectwise(monkeypatch: pytest.MonkeyPatch) -> ConnectWiseTicketsStandIn:
    companies, agreements, additions = sample_connectwise()
    for name, value in (("CW_COMPANY_ID", SAMPLE_MSP), ("CW_PUBLIC_KEY", SAMPLE_PUBLIC_KEY), ("CW_PRIVATE_KEY", KEYS),
                        ("CW_CLIENT_ID", SAMPLE_CLIENT_ID)):  # fmt: skip
        monkeypatch.setenv(name, value)
    return ConnectWiseTicketsStandIn(
        boards=SAMPLE_BOARDS, company_id=SAMPLE_MSP, public_key=SAMPLE_PUBLIC_KEY, private_key=KEYS,
        client_id=SAMPLE_CLIENT_ID, companies=companies, agreements=agreements, additions=additions,
    )  # fmt: skip


# --- Halo ---------------------------------------------------------------------------------------


def test_halo_opens_each_ticket_once_over_two_nights(
    night: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tenants = _tenants(night, "northwind", f"{{halo: {{company_id: {SAMPLE_CLIENT}, team: Licensing}}}}")
    chosen = _chosen(night, "northwind", "high", "critical")
    with _halo() as halo:
        _halo_env(monkeypatch, halo.url)
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "halo"]
        assert main(run) == 0 and halo.tickets == []  # a dry run writes nothing
        assert main([*run, "--yes"]) == 0
        keys = [t["summary"].rsplit("[", 1)[1].rstrip("]") for t in halo.tickets]
        assert set(keys) == chosen and len(keys) == len(chosen) > 0
        assert all(t["client_id"] == SAMPLE_CLIENT and t["team"] == "Licensing" for t in halo.tickets)
        assert {t["priority_id"] for t in halo.tickets} == {2}  # high findings: Halo's priority 2
        # the affected user's contact, with its site (the sample's one contact of Northwind's)
        linked = [t for t in halo.tickets if t["user_id"] is not None]
        assert [(t["user_id"], t["site_id"]) for t in linked] == [(4101, 310)]
        assert "leaver.audited@contoso.example" in linked[0]["summary"]
        posted = len(halo.writes)
        before = len(halo.requests)
        assert main([*run, "--yes"]) == 0  # the second night finds every ticket open
        assert len(halo.writes) == posted and len(halo.tickets) == len(chosen)
        # the client's open tickets listed once a run, not once a finding (issue 116)
        listed = [r for r in halo.requests[before:] if (r.method, r.path) == ("GET", "/api/Tickets")]
        assert len(listed) == 1 and listed[0].query["client_id"] == str(SAMPLE_CLIENT)
        # every API request falls under an operation KEEP lists for Halo's swagger (issue 116); authinfo and the
        # token are Halo's OAuth endpoints, outside the API document
        kept = [
            (m, re.compile("^/api" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"))
            for p, methods in KEEP["halo"]["paths"].items()
            for m in methods
        ]
        asked = {(r.method.lower(), r.path) for r in halo.requests if r.path.startswith("/api/")}
        asked.discard(("get", "/api/authinfo"))
        assert asked and all(any(m == km and k.match(p) for km, k in kept) for m, p in asked), asked
    assert f"tickets opened: 0, already open: {len(chosen)}" in capsys.readouterr().err.splitlines()[-1]


def test_halo_a_busy_tickets_actions_are_read_page_after_page(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 116: GET /api/Actions?ticket_id= was read once, unpaged; Halo pages its listings (Actions_View:
    page_no, page_size, record_count), so a busy ticket's note on a later page was not seen."""
    monkeypatch.setattr(halo_client, "PAGE_SIZE", 2)
    chosen = sorted(_chosen(night, "northwind", "high", "critical"))
    with _halo() as halo:
        _halo_env(monkeypatch, halo.url)
        existing = halo.open_ticket(SAMPLE_CLIENT, "Licence review, November")
        for n in range(5):  # a person's notes first: ours come after them
            halo.actions.append({"id": 87000 + n, "ticket_id": existing, "note": f"called the customer ({n})",
                                 "outcome_id": 7, "hiddenfromuser": False})  # fmt: skip
        tenants = _tenants(night, "northwind", f"{{halo: {{company_id: {SAMPLE_CLIENT}, ticket: {existing}}}}}")
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "halo", "--yes"]
        assert main(run) == 0
        mark = len(halo.requests)
        assert main(run) == 0  # the second night finds each note, on the ticket's last pages
        notes = [a for a in halo.actions if a["ticket_id"] == existing and a["note"].startswith(KEY_PREFIX)]
        assert sorted(a["note"].split(" ", 1)[0] for a in notes) == chosen
        pages = [r.query for r in halo.requests[mark:] if r.path == "/api/Actions"]
    assert all(p["pageinate"] == "true" and p["page_size"] == "2" for p in pages)
    assert {p["page_no"] for p in pages} >= {"1", "2", "3"}


def test_halo_notes_carry_the_outcome_the_msp_names(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 116: the outcome of a note was 7 in code; CIPP makes it a setting of its Halo integration."""
    with _halo() as halo:
        _halo_env(monkeypatch, halo.url)
        monkeypatch.setenv("HALO_NOTE_OUTCOME", "21")
        existing = halo.open_ticket(SAMPLE_CLIENT, "Licence review, November")
        tenants = _tenants(night, "northwind", f"{{halo: {{company_id: {SAMPLE_CLIENT}, ticket: {existing}}}}}")
        assert main(["tickets", str(night), "--tenants", tenants, "--psa", "halo", "--yes"]) == 0
        assert {a["outcome_id"] for a in halo.actions} == {21}
        monkeypatch.setenv("HALO_NOTE_OUTCOME", "internal")
        assert main(["tickets", str(night), "--tenants", tenants, "--psa", "halo"]) == 2


def test_halo_is_read_at_the_halo_endpoint_flag(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 116: no --halo-endpoint flag: Halo was read only at HALO_URL, where the other vendors take one."""
    tenants = _tenants(night, "northwind", f"{{halo: {{company_id: {SAMPLE_CLIENT}, team: Licensing}}}}")
    with _halo() as halo:
        _halo_env(monkeypatch, "https://msp.halopsa.invalid")  # the instance's address; the flag's is read
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "halo", "--halo-endpoint", halo.url, "--yes"]
        assert main(run) == 0
        assert halo.requests[0].path == "/api/authinfo" and halo.tickets


def test_halo_notes_a_finding_no_longer_reported_once(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenants = _tenants(night, "northwind", f"{{halo: {{company_id: {SAMPLE_CLIENT}}}}}")
    with _halo() as halo:
        _halo_env(monkeypatch, halo.url)
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "halo", "--yes"]
        assert main(run) == 0
        path = night / "northwind" / "report.json"
        report = json.loads(path.read_text("utf-8"))
        gone = next(f for f in report["findings"] if f["severity"] == "high")
        report["findings"] = [f for f in report["findings"] if f["id"] != gone["id"]]
        path.write_text(json.dumps(report), "utf-8")
        for _ in range(2):
            assert main(run) == 0
        ticket = next(t for t in halo.tickets if t["summary"].endswith(f"[{KEY_PREFIX}{gone['id']}]"))
        notes = [a for a in halo.actions if a["ticket_id"] == ticket["id"]]
        assert len(notes) == 1 and notes[0]["note"].startswith(KEY_PREFIX) and notes[0]["hiddenfromuser"] is True
        assert ticket["hasbeenclosed"] is False


def test_halo_the_demo_opens_each_ticket_once_over_two_nights(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chosen = len(_chosen(night, "northwind", "high", "critical"))
    assert main(["tickets", str(night), "--demo", "--psa", "halo", "--yes"]) == 0
    assert f"tickets opened: {chosen}, already open: 0" in capsys.readouterr().err
    assert main(["tickets", str(night), "--demo", "--psa", "halo", "--yes"]) == 0
    assert f"tickets opened: 0, already open: {chosen}, notes: 0" in capsys.readouterr().err
    kept = json.loads((night / "demo-halo.json").read_text("utf-8"))
    assert len(kept["tickets"]) == chosen and kept["actions"] == []


def test_what_halo_refuses_is_journaled_as_failed(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenants = _tenants(night, "northwind", f"{{halo: {{company_id: {SAMPLE_CLIENT}}}}}")
    with _halo() as halo:
        _halo_env(monkeypatch, halo.url)
        # Halo refuses each new ticket (as for a client no longer valid there); the client itself is still
        # Halo's, so its mapping is proven (a client gone is refused before anything is sent: test_mapping)
        monkeypatch.setattr(halo, "_new_ticket", lambda given: halo_error(400, "Please select a valid Client"))
        assert main(["tickets", str(night), "--tenants", tenants, "--psa", "halo", "--yes"]) == 3
        assert halo.tickets == []
    lines = [json.loads(x) for p in night.glob("tickets-*.jsonl") for x in p.read_text("utf-8").splitlines()]
    assert {x["outcome"] for x in lines} == {"sending", "failed"} and {x.get("status") for x in lines} == {None, 400}


# --- Autotask -----------------------------------------------------------------------------------


def test_autotask_opens_each_ticket_once_over_two_nights(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fabrikam's one medium finding (E3's spare seats; its high one, Exchange Online's spare seats under the
    minimum, is left out by --rule) as an Autotask ticket in its queue."""
    tenants = _tenants(night, "fabrikam", f"{{autotask: {{company_id: {AUTOTASK_COMPANY}, queue: Licensing}}}}")
    chosen = _chosen(night, "fabrikam", "medium")
    _autotask_env(monkeypatch)
    with _autotask() as at:
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "autotask", "--autotask-endpoint", at.url]
        run += ["--rule", SpareSeatsOverLimit.id]
        assert main([*run, "--severity", "medium"]) == 0 and at.tickets == []
        assert main([*run, "--severity", "medium", "--yes"]) == 0
        assert {t["title"].rsplit("[", 1)[1].rstrip("]") for t in at.tickets} == chosen and len(chosen) == 1
        ticket = at.tickets[0]
        assert (ticket["companyID"], ticket["queueID"], ticket["status"]) == (AUTOTASK_COMPANY, 29682833, NEW)
        assert ticket["priority"] == 2  # medium: the picklist's "Medium"
        assert main([*run, "--severity", "medium", "--yes"]) == 0
        assert len(at.tickets) == 1 and len(at.posted) == 1
        # a finding no longer reported: one note, the ticket left open
        path = night / "fabrikam" / "report.json"
        report = json.loads(path.read_text("utf-8"))
        report["findings"] = []
        path.write_text(json.dumps(report), "utf-8")
        for _ in range(2):
            assert main([*run, "--severity", "medium", "--yes"]) == 0
        notes = at.notes(ticket["id"])
        assert len(notes) == 1 and notes[0]["description"].startswith(KEY_PREFIX) and ticket["status"] == NEW


def test_autotask_a_queue_it_has_not_is_the_customers_gap(
    night: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tenants = _tenants(night, "fabrikam", f"{{autotask: {{company_id: {AUTOTASK_COMPANY}, queue: Nowhere}}}}")
    _autotask_env(monkeypatch)
    with _autotask() as at:
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "autotask", "--autotask-endpoint", at.url]
        assert main([*run, "--severity", "medium", "--yes"]) == 3
        assert at.tickets == [] and at.posted == []
    assert "has no value 'Nowhere'" in capsys.readouterr().err


def test_autotask_links_the_affected_users_contact() -> None:
    at_keys = Credentials(SAMPLE_INTEGRATION_CODE, SAMPLE_USERNAME, KEYS)
    with _autotask() as at, Autotask(at_keys, endpoint=at.url) as client:
        desk = AutotaskDesk(client)
        assert desk.contact(AUTOTASK_COMPANY, "IT@fabrikam.example") == 30400001  # its e-mail address, any case
        assert desk.contact(AUTOTASK_COMPANY, "nobody@fabrikam.example") is UNSET  # none: no contact is linked
        assert desk.contact(AUTOTASK_COMPANY, "left@fabrikam.example") is UNSET  # an inactive contact (isActive 0)
        assert desk.contact(AUTOTASK_COMPANY, "") is UNSET  # a finding about no user


# --- an existing ticket, for each PSA (CIPP#5630) -------------------------------------------------


def test_connectwise_findings_go_to_the_existing_ticket(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = _chosen(night, "contoso", "high", "critical")
    with _connectwise(monkeypatch) as cw:
        existing = cw.open_ticket(250, "Licence review, November")
        tenants = _tenants(night, "contoso", f"{{connectwise: {{company_id: 250, ticket: {existing}}}}}")
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "connectwise", "--connectwise-endpoint", cw.url]
        for _ in range(2):  # the second night adds nothing
            assert main([*run, "--yes"]) == 0
        assert [t["id"] for t in cw.tickets] == [existing]  # no ticket opened
        notes = cw.notes[existing]
        assert {n["text"].split(" ", 1)[0] for n in notes} == chosen and len(notes) == len(chosen)
        assert all(n["internalAnalysisFlag"] for n in notes)


def test_a_note_on_the_existing_ticket_promises_no_ticket_and_the_dry_run_shows_it_whole(
    night: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Native review 9, E1 and E18: a note says it is not noted again (no ticket of its own is ever opened),
    and the dry run prints every line of what `--yes` would write, not its first 80 characters."""
    with _connectwise(monkeypatch) as cw:
        existing = cw.open_ticket(250, "Licence review, November")
        tenants = _tenants(night, "contoso", f"{{connectwise: {{company_id: 250, ticket: {existing}}}}}")
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "connectwise", "--connectwise-endpoint", cw.url]
        assert main(run) == 0
        shown = capsys.readouterr().err
        assert cw.notes[existing] == []  # a dry run
        assert f"would add a note to ticket {existing}: {KEY_PREFIX}" in shown
        assert "While the finding stays open, it is not noted again." in shown  # the note's last line, shown
        assert main([*run, "--yes"]) == 0
        texts_sent = [n["text"] for n in cw.notes[existing]]
        assert texts_sent and all(
            t.endswith("While the finding stays open, it is not noted again.") for t in texts_sent
        )
        assert not any("no second ticket" in t for t in texts_sent)


def test_connectwise_an_existing_ticket_of_another_company_is_refused(
    night: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with _connectwise(monkeypatch) as cw:
        other = cw.open_ticket(251, "Another customer's ticket")
        tenants = _tenants(night, "contoso", f"{{connectwise: {{company_id: 250, ticket: {other}}}}}")
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "connectwise", "--connectwise-endpoint", cw.url]
        assert main([*run, "--yes"]) == 3
        assert cw.notes[other] == [] and len(cw.tickets) == 1
    assert f"ticket {other}, which is not an open ticket of company 250" in capsys.readouterr().err


def test_autotask_findings_go_to_the_existing_ticket(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = _chosen(night, "fabrikam", "medium")  # E3's spare seats (--rule: not the high Exchange Online's)
    _autotask_env(monkeypatch)
    with _autotask() as at:
        existing = at.open_ticket(AUTOTASK_COMPANY, "Licence review, November")
        tenants = _tenants(night, "fabrikam", f"{{autotask: {{company_id: {AUTOTASK_COMPANY}, ticket: {existing}}}}}")
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "autotask", "--autotask-endpoint", at.url]
        run += ["--rule", SpareSeatsOverLimit.id]
        for _ in range(2):
            assert main([*run, "--severity", "medium", "--yes"]) == 0
        assert [t["id"] for t in at.tickets] == [existing]
        notes = at.notes(existing)
        assert {n["description"].split(" ", 1)[0] for n in notes} == chosen and len(notes) == 1
        at.close(existing)  # a completed ticket takes no more notes: the customer's gap
        assert main([*run, "--severity", "medium", "--yes"]) == 3
        assert len(at.notes(existing)) == 1


def test_halo_findings_go_to_the_existing_ticket(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = _chosen(night, "northwind", "high", "critical")
    with _halo() as halo:
        _halo_env(monkeypatch, halo.url)
        existing = halo.open_ticket(SAMPLE_CLIENT, "Licence review, November")
        tenants = _tenants(night, "northwind", f"{{halo: {{company_id: {SAMPLE_CLIENT}, ticket: {existing}}}}}")
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "halo", "--yes"]
        for _ in range(2):
            assert main(run) == 0
        assert [t["id"] for t in halo.tickets] == [existing]
        notes = [a for a in halo.actions if a["ticket_id"] == existing]
        assert {a["note"].split(" ", 1)[0] for a in notes} == chosen and len(notes) == len(chosen)
        assert all(a["outcome_id"] == 7 and a["hiddenfromuser"] for a in notes)
