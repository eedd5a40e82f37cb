"""apply --commerce keeps the license journal's promises and refuses a change whose shape is not
one plan writes: a full disk after a cancellation stops with exit 3 naming it, a hand-edited
reduction that raises seats is refused, and a token without a tenant id runs in one event loop."""

from __future__ import annotations

import asyncio
import errno
import io
import json
import os
import stat
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.apply.commerce import Commerce, commerce_of, run_commerce
from auditor.apply.journal import JournalError
from auditor.apply.write_engine import BillJournal
from auditor.common.errors import UsageError
from auditor.vendors.commerce_sources import Access
from auditor_dev.commerce import BillingStandIn, PartnerCenterStandIn, sample_commerce
from auditor_dev.demo import sample_tenant

from .test_commerce_apply import CONSUMED, NOW, PBI, TODAY, Token, _arm_reduce, _bill, _seats, bind, typed


@pytest.fixture()
def stand_ins() -> Any:
    snapshot = sample_tenant()
    facts = sample_commerce(snapshot, NOW)
    with BillingStandIn(facts.accounts, now=NOW) as arm, PartnerCenterStandIn(facts.customers) as pc:
        yield snapshot, facts, arm, pc


def test_a_full_disk_after_a_cancellation_names_it_and_keeps_whole_lines(
    stand_ins: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot, facts, arm, pc = stand_ins
    changes = commerce_of({"bill": _bill(arm.url, pc.url, facts, snapshot, CONSUMED)})
    cancel = [c for c in changes if c.kind == "cancel"]
    path = tmp_path / "commerce.jsonl"
    journal = BillJournal(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(UsageError, match="already exists"):
        BillJournal(path)  # created exclusively: never appended to
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    real = os.write
    writes = []

    def full(fd: int, data: Any) -> int:
        writes.append(fd)
        if len(writes) == 2:  # the outcome line, after the cancellation was made: half of it fits
            real(fd, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr("auditor.apply.journal.os.write", full)
    with pytest.raises(JournalError) as caught:
        asyncio.run(
            run_commerce(
                cancel, commerce, _seats({PBI: (34, 31)}), execute=True, journal=journal, today=TODAY, out=io.StringIO()
            )
        )
    journal.close()
    said = str(caught.value)
    assert "No space left on device" in said
    assert "commerce change C2 (cancel POWER_BI_PRO, subscription cf86da0c" in said and "was MADE" in said
    assert [r.method for r in arm.requests if r.method != "GET"] == ["DELETE"]
    # the cut line is gone: the journal holds the whole 'sending' line only
    [line] = [json.loads(t) for t in path.read_text("utf-8").splitlines()]
    assert line["outcome"] == "sending" and line["n"] == 2


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        ({"to": 60, "seats": -54}, "a reduction goes from 3 down to fewer seats, not to 60"),
        ({"to": 2, "seats": 5}, "its seats are 5, but 3 to 2 is 1"),
        ({"kind": "grow"}, "its kind 'grow' is not one apply makes"),
        ({"api_id": "another-subscription"}, "its request PATCH /providers/Microsoft.Billing/billingAccounts/acct/"),
        ({"scope": "another-account"}, "is not PATCH /providers/Microsoft.Billing/billingAccounts/another-account/"),
        ({"kind": "cancel", "to": 2}, "a cancel ends at 0 seats, not 2"),
    ],
)
def test_a_commerce_change_of_another_shape_is_refused(edit: dict[str, Any], words: str) -> None:
    change = _arm_reduce("acct") | edit
    if edit.get("to") == 60:
        change["request"]["body"] = {"properties": {"quantity": 60}}
    with pytest.raises(UsageError) as caught:
        commerce_of({"bill": {"commerce": [change]}})
    assert words in str(caught.value) and "commerce change 1" in str(caught.value)


def test_apply_commerce_with_a_token_that_names_no_tenant_runs_in_one_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An opaque AUDITOR_ACCESS_TOKEN: the tenant is checked through GET /organization, then the
    seats are re-read by the same client; both in the command's one event loop (before: exit 5,
    "Event loop is closed")."""
    from auditor.apply import run as apply_run
    from auditor.cli import main
    from auditor_dev.emulator import GraphEmulator

    snapshot = sample_tenant()
    facts = sample_commerce(snapshot, datetime(2026, 11, 1, 6))
    token = "an-opaque-token-without-claims"
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setattr(apply_run, "clock", lambda: datetime(2026, 11, 1, 7, tzinfo=__import__("datetime").UTC))
    with (
        BillingStandIn(facts.accounts, now=NOW) as arm,
        PartnerCenterStandIn(facts.customers) as pc,
        GraphEmulator(snapshot, token=token) as graph,
    ):
        bill = _bill(arm.url, pc.url, facts, snapshot, CONSUMED)
        plan = tmp_path / "plan.json"
        doc = {
            "plan_version": 1,
            "tenant_id": snapshot.tenant_id,
            "tenant_name": "Contoso",
            "cloud": "worldwide",
            "created_at": "2026-11-01T06:30:00Z",
            "changes": [],
            "stopped": None,
            "bill": bill,
        }
        plan.write_text(json.dumps(doc), "utf-8")
        endpoints = ["--billing-endpoint", arm.url, "--partner-center-endpoint", pc.url]
        base = ["apply", str(plan), "--graph-endpoint", graph.url, "--auth", "token", "--commerce-only"]
        base += ["--tenant-id", snapshot.tenant_id, "--max-age", "30d", *endpoints]
        capsys.readouterr()
        assert main(base) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert "commerce changes: 2 (dry run" in out
        assert graph.requests_to("/organization") and graph.requests_to("/subscribedSkus")


def test_undo_commerce_without_a_terminal_buys_nothing_and_says_so(
    stand_ins: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`undo --commerce --yes` in CI (no terminal): nobody says yes to the price, so nothing is bought
    and the run exits 3 naming what was not bought back (before: exit 0). While another run holds
    the commerce journal, undo --commerce waits for nobody: exit 2. The tenant's seats are read from
    Graph (the tenant the operator names, the plan's) before anything is asked."""
    from auditor.apply import undo_bound
    from auditor.apply.distributor_bound import Assigned
    from auditor.apply.lock import hold
    from auditor.cli import main
    from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

    snapshot, _, arm, pc = stand_ins
    account = next(iter(arm.accounts))
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    path = tmp_path / "commerce.jsonl"
    journal = BillJournal(path)
    reduce = _arm_reduce(account)
    assert (
        asyncio.run(
            run_commerce(
                typed(reduce),
                commerce,
                _seats({PBI: (34, 31)}),
                execute=True,
                journal=journal,
                today=TODAY,
                out=io.StringIO(),
                plan=bind(tmp_path, typed(reduce)),
            )
        )
        == 0
    )
    journal.close()
    commerce.close()
    read: list[Any] = []

    def tenant_now(options: Any, plan: Any) -> Any:
        """Graph's seats as read (the sample's Power BI Pro: 31 assigned, 34 seats), then 3 licenses given
        back since (34 assigned, 33 seats once the reduction is made): what allows the buy-back."""
        now = real(options, plan)
        read.append((plan.path.name, now.assigned[PBI]))
        return replace(now, assigned={PBI: Assigned("POWER_BI_PRO", 34, 33)})

    real = undo_bound.tenant_now
    monkeypatch.setattr(undo_bound, "tenant_now", tenant_now)
    token = app_token(snapshot.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    monkeypatch.setattr("auditor.apply.undoing.clock", lambda: NOW)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal
    with GraphEmulator(snapshot, token=token) as graph:
        undo = ["undo", str(path), "--commerce", "--yes", "--auth", "token", "--tenant-id", snapshot.tenant_id]
        undo += ["--billing-endpoint", arm.url, "--partner-center-endpoint", pc.url, "--graph-endpoint", graph.url]
        with hold(path, "the commerce journal"):
            assert main(undo) == 2
        assert "another license-auditor run is using the commerce journal" in capsys.readouterr().err
        assert main(undo) == 3
    assert read == [("plan.json", Assigned("POWER_BI_PRO", 31, 34))]
    captured = capsys.readouterr()
    assert "C1: not bought back: no terminal to ask the price at" in captured.out
    assert "C1: 1 seats of POWER_BI_PRO" in captured.err and "nobody was asked" in captured.err
    assert not [r for r in arm.requests if r.method == "PATCH"][1:]  # only the reduction itself
