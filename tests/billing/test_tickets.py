"""`tickets --psa connectwise` (issue 97, point 4): one ConnectWise service ticket per chosen finding of the
demo's many-tenant run, keyed by the finding's id, through the ConnectWise stand-in. Two nights open each
ticket once; a dry run writes nothing; a finding no longer reported adds one note and closes nothing;
every write is journaled ahead of its request.
A run killed after ConnectWise made a ticket but before the journal said so leaves a "sending" line with no
outcome, and the next night finds that ticket by its key and opens none twice; a journal that cannot be
written stops the run before its first POST (both as a real process, `python -m auditor`)."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import TypeVar

import msgspec
import pytest

from auditor.cli import main
from auditor.data.enums import Locale
from auditor.fleet.tickets import KEY_PREFIX, texts
from auditor.formats.report_model import ReportFinding
from auditor.vendors.connectwise.client import API_PATH
from auditor_dev.commerce.connectwise import SAMPLE_CLIENT_ID, SAMPLE_MSP, SAMPLE_PUBLIC_KEY, sample_connectwise
from auditor_dev.commerce.connectwise_tickets import SAMPLE_BOARDS, ConnectWiseTicketsStandIn
from auditor_dev.commerce.server import Asked, Reply
from auditor_dev.contracts.cut import KEEP

ROOT = Path(__file__).parents[2]
PRIVATE = "x9Qw2LpT4vRk7sYb"  # the stand-in's API member's private key (made up)


@pytest.fixture
def night(audited: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the audited folder (a test may change a report) and the tenants file naming the PSA."""
    folder = tmp_path / "out"
    for key in ("contoso", "fabrikam"):
        (folder / key).mkdir(parents=True)
        (folder / key / "report.json").write_bytes((audited / key / "report.json").read_bytes())
    ids = {
        k: json.loads((folder / k / "report.json").read_text("utf-8"))["tenant"]["id"] for k in ("contoso", "fabrikam")
    }
    (tmp_path / "tenants.yaml").write_text(
        "tenants:\n"
        f"  - name: Contoso\n    tenant_id: {ids['contoso']}\n    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        "    psa: {connectwise: {company_id: 250, board: Licensing}}\n"
        f"  - name: Fabrikam\n    tenant_id: {ids['fabrikam']}\n    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        "    psa: {connectwise: {company_id: 251}}\n",  # no board: its tickets are not guessed
        "utf-8",
    )
    for name, value in (("CW_COMPANY_ID", SAMPLE_MSP), ("CW_PUBLIC_KEY", SAMPLE_PUBLIC_KEY)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CW_PRIVATE_KEY", PRIVATE)
    monkeypatch.setenv("CW_CLIENT_ID", SAMPLE_CLIENT_ID)
    return folder


@pytest.fixture
def connectwise() -> ConnectWiseTicketsStandIn:
    return _sample(ConnectWiseTicketsStandIn)


S = TypeVar("S", bound=ConnectWiseTicketsStandIn)


def _sample(kind: type[S]) -> S:
    """The stand-in (or a subclass of it) with the sample MSP's companies, agreements and boards."""
    companies, agreements, additions = sample_connectwise()
    return kind(
        boards=SAMPLE_BOARDS,
        company_id=SAMPLE_MSP,
        public_key=SAMPLE_PUBLIC_KEY,
        private_key=PRIVATE,
        client_id=SAMPLE_CLIENT_ID,
        companies=companies,
        agreements=agreements,
        additions=additions,
    )


def _tickets(folder: Path, cw: ConnectWiseTicketsStandIn, *more: str) -> int:
    tenants = str(folder.parent / "tenants.yaml")
    return main(
        ["tickets", str(folder), "--tenants", tenants, "--psa", "connectwise", "--connectwise-endpoint", cw.url, *more]
    )


def _chosen(folder: Path) -> set[str]:
    report = json.loads((folder / "contoso" / "report.json").read_text("utf-8"))
    high = [f for f in report["findings"] if f["severity"] in ("high", "critical") and not f["waived"]]
    return {KEY_PREFIX + f["id"] for f in high}


def test_two_nights_open_each_ticket_once(
    night: Path, connectwise: ConnectWiseTicketsStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    with connectwise as cw:
        assert _tickets(night, cw) == 3  # a dry run; Fabrikam's entry names no board: its gap
        assert cw.tickets == [] and not list(night.glob("tickets-*.jsonl"))
        dry = capsys.readouterr().err
        assert "fabrikam: no tickets: its psa.connectwise names no board" in dry
        assert "(a dry run: give --yes to write them)" in dry

        assert _tickets(night, cw, "--yes") == 3
        first = [t["externalXRef"] for t in cw.tickets]
        assert set(first) == _chosen(night) and len(first) == len(set(first)) > 0
        assert all(t["company"]["id"] == 250 and t["board"]["name"] == "Licensing" for t in cw.tickets)
        assert all(len(t["summary"]) <= 100 for t in cw.tickets)

        assert _tickets(night, cw, "--yes") == 3  # the second night finds every ticket open
        assert [t["externalXRef"] for t in cw.tickets] == first
        assert f"already open: {len(first)}" in capsys.readouterr().err.splitlines()[-1]
        # each POST came after a conditions query on its key
        asked = [(r.method, r.query.get("conditions", "")) for r in cw.requests if r.path.endswith("/service/tickets")]
        for key in first:
            query = next(i for i, (m, c) in enumerate(asked) if m == "GET" and f'externalXRef="{key}"' in c)
            post = next(i for i, r in enumerate(cw.writes) if r.body.get("externalXRef") == key)
            assert query < [i for i, (m, _) in enumerate(asked) if m == "POST"][post]

    journals = sorted(night.glob("tickets-*.jsonl"))
    lines = [json.loads(x) for p in journals for x in p.read_text("utf-8").splitlines()]
    assert Counter(x["outcome"] for x in lines) == {"sending": len(first), "done": len(first)}
    assert [x["outcome"] for x in lines[:2]] == ["sending", "done"] and lines[0]["request"]["method"] == "POST"


def test_a_finding_no_longer_reported_adds_one_note_and_closes_nothing(
    night: Path, connectwise: ConnectWiseTicketsStandIn
) -> None:
    with connectwise as cw:
        assert _tickets(night, cw, "--yes") == 3
        path = night / "contoso" / "report.json"
        report = json.loads(path.read_text("utf-8"))
        gone = next(f for f in report["findings"] if KEY_PREFIX + f["id"] in _chosen(night))
        report["findings"] = [f for f in report["findings"] if f["id"] != gone["id"]]
        path.write_text(json.dumps(report), "utf-8")
        for _ in range(2):  # two nights after the fix: one note
            assert _tickets(night, cw, "--yes") == 3
        ticket = next(t for t in cw.tickets if t["externalXRef"] == KEY_PREFIX + gone["id"])
        notes = cw.notes[ticket["id"]]
        assert len(notes) == 1 and notes[0]["internalAnalysisFlag"] is True
        assert notes[0]["text"].startswith(KEY_PREFIX) and "not closed automatically" in notes[0]["text"]
        assert ticket["closedFlag"] is False
        # a ticket a person closed while its finding stays: the next night opens a new one for it
        other = next(t for t in cw.tickets if t["id"] != ticket["id"])
        cw.close(other["id"])
        assert _tickets(night, cw, "--yes") == 3
        assert sum(t["externalXRef"] == other["externalXRef"] for t in cw.tickets) == 2


def test_what_connectwise_refuses_is_journaled_as_failed(night: Path, connectwise: ConnectWiseTicketsStandIn) -> None:
    connectwise.boards = [{"id": 1, "name": "Help Desk"}]  # the entry's board is not the MSP's
    with connectwise as cw:
        assert _tickets(night, cw, "--yes") == 3
        assert cw.tickets == []
    lines = [json.loads(x) for p in night.glob("tickets-*.jsonl") for x in p.read_text("utf-8").splitlines()]
    assert {x["outcome"] for x in lines} == {"sending", "failed"} and all(x.get("status") in (None, 400) for x in lines)


@pytest.mark.parametrize("locale", ["nl", "da", "sv", "tr"])
def test_the_ticket_speaks_the_customers_language(audited: Path, locale: str) -> None:
    report = json.loads((audited / "contoso" / "report.json").read_text("utf-8"))
    finding = msgspec.convert(next(f for f in report["findings"] if f["severity"] == "high"), ReportFinding)
    summary, description = texts(finding, Locale(locale), report["as_of"])
    english_summary, english = texts(finding, Locale("en"), report["as_of"])
    assert summary != english_summary  # the rule's title in the customer's language
    assert "found this in the audit" in english and "found this in the audit" not in description
    assert finding.id in description


def test_without_connectwises_keys_nothing_is_read(
    night: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CW_PRIVATE_KEY")
    tenants = str(night.parent / "tenants.yaml")
    assert main(["tickets", str(night), "--tenants", tenants, "--psa", "connectwise", "--yes"]) == 2
    assert "CW_PRIVATE_KEY" in capsys.readouterr().err
    assert not list(night.glob("tickets-*.jsonl"))


def test_the_demo_opens_each_ticket_once_over_two_nights(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As docs/msp.md gives it, `tickets --demo [--yes]`: the demo's PSA is its ConnectWise stand-in."""
    chosen = len(_chosen(night))
    assert main(["tickets", str(night), "--demo", "--yes"]) == 0
    assert f"tickets opened: {chosen}, already open: 0" in capsys.readouterr().err
    kept = json.loads((night / "demo-connectwise.json").read_text("utf-8"))
    assert len(kept["tickets"]) == chosen
    assert main(["tickets", str(night), "--demo", "--yes"]) == 0
    assert f"tickets opened: 0, already open: {chosen}" in capsys.readouterr().err
    assert len(json.loads((night / "demo-connectwise.json").read_text("utf-8"))["tickets"]) == chosen


def test_a_customers_run_names_its_psa(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Outside the demo the PSA is the MSP's to name: without --psa nothing is read or written."""
    assert main(["tickets", str(night), "--tenants", str(night.parent / "tenants.yaml"), "--yes"]) == 2
    assert "give --psa connectwise" in capsys.readouterr().err
    assert not list(night.glob("tickets-*.jsonl"))


class HeldAfterTheFirstTicket(ConnectWiseTicketsStandIn):
    """Makes the first ticket, then holds its answer until the test has killed the run."""

    def __init__(self, **given: object) -> None:
        super().__init__(**given)  # type: ignore[arg-type]
        self.made = threading.Event()
        self.release = threading.Event()

    def route(self, asked: Asked) -> Reply:
        reply = super().route(asked)
        if asked.method == "POST" and asked.path.endswith("/service/tickets") and not self.made.is_set():
            self.made.set()
            self.release.wait(60)
        return reply


def _process(folder: Path, url: str, file_limit: int | None = None) -> subprocess.Popen[str]:
    def limit() -> None:  # as `ulimit -f` would
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    tenants = str(folder.parent / "tenants.yaml")
    args = ["tickets", str(folder), "--tenants", tenants, "--psa", "connectwise", "--connectwise-endpoint", url]
    return subprocess.Popen(
        [sys.executable, "-m", "auditor", *args, "--yes"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )


def _journal(folder: Path) -> list[dict[str, object]]:
    return [json.loads(x) for p in sorted(folder.glob("tickets-*.jsonl")) for x in p.read_text("utf-8").splitlines()]


def test_a_run_killed_after_a_ticket_was_made_opens_none_twice(night: Path) -> None:
    with _sample(HeldAfterTheFirstTicket) as cw:
        run = _process(night, cw.url)
        try:
            assert cw.made.wait(120), run.communicate(timeout=5)
            run.send_signal(signal.SIGKILL)
            run.wait(30)
        finally:
            cw.release.set()
        assert run.returncode == -signal.SIGKILL
        assert len(cw.tickets) == 1  # ConnectWise made it; the run never heard so
        killed = _journal(night)
        assert [x["outcome"] for x in killed] == ["sending"] and killed[0]["key"] == cw.tickets[0]["externalXRef"]

        assert _tickets(night, cw, "--yes") == 3  # the next night (Fabrikam names no board: its gap, exit 3)
        keys = [t["externalXRef"] for t in cw.tickets]
        assert Counter(keys).most_common(1)[0][1] == 1  # none twice
        assert set(keys) == _chosen(night)


def test_a_journal_that_cannot_be_written_sends_nothing(night: Path, connectwise: ConnectWiseTicketsStandIn) -> None:
    with connectwise as cw:
        run = _process(night, cw.url, file_limit=0)  # no byte of the journal can be written
        _, err = run.communicate(timeout=120)
        assert run.returncode == 3, err  # the journal could not be written (README: exit 3)
        assert "Traceback" not in err
        assert cw.writes == [] and cw.tickets == []
        assert "journal" in err.lower(), err


def _entries(folder: Path, contoso: str, fabrikam: str, contoso_tenant: str | None = None) -> None:
    """The tenants file rewritten: each entry's psa block (`contoso_tenant`: Contoso's tenant_id edited)."""
    ids = {
        k: json.loads((folder / k / "report.json").read_text("utf-8"))["tenant"]["id"] for k in ("contoso", "fabrikam")
    }
    client = "00000000-0000-0000-0000-0000000000c1"
    (folder.parent / "tenants.yaml").write_text(
        "tenants:\n"
        f"  - name: Contoso\n    tenant_id: {contoso_tenant or ids['contoso']}\n    client_id: {client}\n"
        f"    psa: {contoso}\n"
        f"  - name: Fabrikam\n    tenant_id: {ids['fabrikam']}\n    client_id: {client}\n    psa: {fabrikam}\n",
        "utf-8",
    )


@pytest.mark.parametrize("edited", ["company_id", "tenant_id"])
def test_an_entry_naming_another_customer_than_its_report_files_and_notes_nothing(
    night: Path, connectwise: ConnectWiseTicketsStandIn, capsys: pytest.CaptureFixture[str], edited: str
) -> None:
    """The report says what the audit read (Contoso is company 250 in ConnectWise); a tenants entry
    edited since (company 251, or another tenant) names another customer: nothing is filed under either
    company, no note says "close it" on either company's tickets, both values are named, exit 3."""
    with connectwise as cw:
        assert _tickets(night, cw, "--yes") == 3  # the first night: Contoso's tickets, under 250
        opened = len(cw.tickets)
        # a finding fixed since (its ticket at 250 would get a note), and an open ticket of ours at
        # Northwind (251) whose finding no report has (it would get one under 251)
        path = night / "contoso" / "report.json"
        report = json.loads(path.read_text("utf-8"))
        report["findings"] = [f for f in report["findings"] if KEY_PREFIX + f["id"] != cw.tickets[0]["externalXRef"]]
        path.write_text(json.dumps(report), "utf-8")
        northwind = {
            "id": 50001,
            "summary": "Northwind's",
            "company": {"id": 251},
            "board": {"id": 7, "name": "Licensing"},
            "externalXRef": f"{KEY_PREFIX}00000000000000aa",
            "closedFlag": False,
        }
        cw.tickets.append(northwind)
        cw.notes[50001] = []
        writes = len(cw.writes)
        company = 251 if edited == "company_id" else 250
        other = "00000000-0000-0000-0000-00000000dead"
        _entries(
            night,
            f"{{connectwise: {{company_id: {company}, board: Licensing}}}}",
            "{connectwise: {company_id: 252}}",
            contoso_tenant=other if edited == "tenant_id" else None,
        )
        capsys.readouterr()
        assert _tickets(night, cw, "--yes") == 3
        assert len(cw.writes) == writes and len(cw.tickets) == opened + 1
        assert all(not notes for notes in cw.notes.values())
    err = capsys.readouterr().err
    if edited == "company_id":
        said = "report.json's psa.company_id 250 is not the tenants file's psa.connectwise.company_id 251"
    else:
        tenant = report["tenant"]["id"]
        said = f"report.json's tenant.id {tenant} is not the tenants file's tenant_id {other}"
    assert f"contoso: no tickets: {said}: nothing is filed or noted for it" in err


def test_a_report_of_another_psas_company_is_its_gap_and_the_others_go_on(
    night: Path, connectwise: ConnectWiseTicketsStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fabrikam's audit read its Autotask company; an entry giving it a ConnectWise company and a board
    files none of Fabrikam's findings there, and Contoso's tickets are filed as before."""
    _entries(
        night,
        "{connectwise: {company_id: 250, board: Licensing}}",
        "{connectwise: {company_id: 251, board: Licensing}}",
    )
    with connectwise as cw:
        assert _tickets(night, cw, "--yes") == 3
        assert {t["company"]["id"] for t in cw.tickets} == {250}
        assert {t["externalXRef"] for t in cw.tickets} == _chosen(night)
    err = capsys.readouterr().err
    assert (
        "fabrikam: no tickets: report.json's psa is autotask company 29684712, not the tenants file's "
        "psa.connectwise.company_id 251: nothing is filed or noted for it"
    ) in err


def test_a_report_with_a_finding_out_of_shape_is_the_customers_gap_not_a_finding_left_out(
    night: Path, connectwise: ConnectWiseTicketsStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report is read by report.json's one reader (auditor.formats.report_json): a finding it cannot
    read (a severity report.json has not) makes the report unread, said with the finding's place, and no
    ticket is filed for the customer; its other findings are not filed as if that one were not there."""
    path = night / "contoso" / "report.json"
    report = json.loads(path.read_text("utf-8"))
    edited = next(i for i, f in enumerate(report["findings"]) if KEY_PREFIX + f["id"] in _chosen(night))
    report["findings"][edited]["severity"] = "urgent"
    path.write_text(json.dumps(report), "utf-8")
    with connectwise as cw:
        assert _tickets(night, cw, "--yes") == 3
        assert cw.tickets == [] and cw.writes == []
    err = capsys.readouterr().err
    said = "contoso: no tickets: its report.json: not a license-auditor report.json: Invalid enum value 'urgent'"
    assert said in err and f"$.findings[{edited}].severity" in err


def test_connectwise_keeps_the_ticket_operations_the_client_calls_and_no_other(
    night: Path, connectwise: ConnectWiseTicketsStandIn
) -> None:
    """KEEP's ConnectWise list (the cut of its published types, issue 116) holds every ticket operation the client asks
    over a night that opens tickets and a night that notes a finding no longer reported, and nothing more: a
    ticket is found open by a `conditions` listing, never by GET /service/tickets/{id} or a board's statuses."""
    with connectwise as cw:
        assert _tickets(night, cw, "--yes") == 3
        path = night / "contoso" / "report.json"
        report = json.loads(path.read_text("utf-8"))
        report["findings"] = [f for f in report["findings"] if KEY_PREFIX + f["id"] not in _chosen(night)]
        path.write_text(json.dumps(report), "utf-8")
        assert _tickets(night, cw, "--yes") == 3
        asked = {(r.method.lower(), r.path.removeprefix(API_PATH)) for r in cw.requests}
    kept = KEEP["connectwise"]["paths"]
    service = {(m, p) for p, methods in kept.items() if p.startswith("/service/") for m in methods}
    called = {(m, p) for m, p in service for am, ap in asked if am == m and re.fullmatch(_template(p), ap)}
    assert called == service  # every kept ticket operation is used
    asked_service = {(m, p) for m, p in asked if p.startswith("/service/")}
    assert all(any(m == km and re.fullmatch(_template(kp), p) for km, kp in service) for m, p in asked_service)


def _template(path: str) -> str:
    return re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
