"""`apply PLAN --psa`: the quantities the plan writes back into the customer's agreement in the PSA (plan.json
`bill.psa`, auditor.plan.psa_quantities), each made as a distributor's change is (auditor.apply.distributor),
through the one write engine (write_engine.apply_bill):

0. the plan is compiled again at the call (auditor.pipeline.recompile): the tenant read from Graph, its PSA's
   lines read again with the company and products map of the report beside the plan (its distributor too,
   for the rules that read it), judged under the operator's policy files (--policies, never the plan's); a
   psa change the fresh compile does not hold equal in every field (its `rule` among them) is refused:
   named on stderr, journaled `refused`, nothing sent, exit 3;
1. the line is read again from the PSA (auditor.vendors.psa_writes.quantity_now): a line the PSA no longer
   bills, or whose quantity is no longer the plan's `from`, is skipped (someone changed it since);
2. without --yes it says what it would do; with --yes the change is journaled `sending` (the plan's SHA-256,
   the quantity read), the PSA's request sent (Autotask: a ContractServiceAdjustment; ConnectWise: the
   addition's quantity; Halo: the recurring invoice line's qty_order), and the line read again: `done` only
   when the PSA's own record has the quantity asked for, else `failed` (a 4xx) or `unknown`.

`undo JOURNAL --psa` (auditor.apply.psa_undo) sets each done change's quantity back.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import msgspec
from msgspec import Struct

from auditor.billing.psa_records import PsaBlock, PsaSection
from auditor.common import shapes
from auditor.common.errors import UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.formats.plan_json import PlanFile
from auditor.formats.report_json import decode_report

from ..vendors import psa_writes
from ..vendors.opened import sessions_for
from ..vendors.protocols import PsaError, PsaSession
from ..vendors.protocols import Sent as Answered
from ..vendors.registry import BODIES, NAMES, PSAS
from .fresh import FreshPlan
from .write_engine import BillEntry, Held, InFresh, Ready, Sent, apply_bill

PREFIX = "psa-journal"  # the default journal's name: psa-journal-<UTC time>.jsonl
# its changes in the plan and in the fresh compile: no field is the file's to move (no day is compared apart)
WHERE = InFresh("psa")


class _Bill(Struct, frozen=True):
    psa: list[CommerceChange] | None = None


class _Plan(Struct, frozen=True):
    bill: _Bill | None = None


def psa_of(data: bytes, where: str = "plan.json") -> list[CommerceChange]:
    """The plan's psa changes as the file has them: any field edited by hand is the fresh compile's to refuse
    (write_engine.selected: equal in every field, or refused with nothing sent)."""
    try:
        doc = shapes.decode(data.removeprefix(codecs.BOM_UTF8), _Plan)
        return BODIES.changes(doc.bill.psa if doc.bill is not None else None, "$.bill.psa")
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise UsageError(f"{where}: bill.psa is not a list of psa changes: {exc} (plan again)") from None


def entry_of(plan: PlanFile) -> dict[str, PsaBlock]:
    """The tenants entry's psa block the audit read the customer's lines with ({"autotask": block}), from the
    report beside the plan (its tenant and collected_at the plan's): the company, and the products map its
    table names; {} when the report has no table. UsageError (exit 2) when the report is not the plan's."""
    path = plan.path.resolve().parent / "report.json"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: the report the plan was made from cannot be read ({exc}); plan again") from None
    doc = decode_report(data, str(path))  # the one reader of report.json: a UsageError naming the file
    stamp = plan.report_collected_at
    collected = doc.collected_at if isinstance(doc.collected_at, str) else ""
    if doc.tenant.id.lower() != plan.tenant_id or (stamp and collected != stamp):
        raise UsageError(f"{path}: not the report the plan was made from; audit and plan again into one folder")
    section = doc.psa if isinstance(doc.psa, PsaSection) else None
    if section is None or section.company_id is None or section.psa not in PSAS:
        return {}
    products = {name: row.sku for row in section.products or [] for name in row.psa_products}
    return {section.psa: PsaBlock(company_id=section.company_id, products=products)}


def _said(c: CommerceChange) -> str:
    return (
        f"P{c.n}. set {c.sku} in {NAMES.get(c.source, c.source)} (agreement {c.subscription}, line {c.api_id}): "
        f"{c.from_} -> {c.to} ({c.rule})"
    )


def _sent(answer: Answered) -> Sent:
    return Sent(answer.outcome, answer.note, answer.status)


class _Kind:
    """apply --psa as a write kind of the engine (write_engine.run_changes)."""

    flag = "psa"
    where = WHERE

    def __init__(self, sessions: Mapping[str, PsaSession], today: date, out: TextIO, plan: str | None) -> None:
        self.sessions, self.today, self.out, self.plan = sessions, today, out, plan

    def show(self, planned: CommerceChange) -> CommerceChange:
        print(f"  {_said(planned)}", file=self.out)
        body = "" if planned.request.body is None else f" {msgspec.to_builtins(planned.request.body)}"
        print(f"      {planned.request.method} {planned.request.path}{body}", file=self.out)
        return planned

    def said(self, change: CommerceChange) -> str:
        return _said(change)

    async def check(self, c: CommerceChange, execute: bool) -> Held | Ready:
        session, on = self.sessions[c.source], self.today.isoformat()
        try:
            now = psa_writes.quantity_now(session, c, on)
        except PsaError as exc:
            return Held(c, f"FAILED: the line could not be read again: {exc}", "failed", str(exc), counts=True)
        if now is None or now != c.from_:
            why = "the PSA bills no such one line now" if now is None else f"the line has {now} now, not {c.from_}"
            word = "skipped: " if execute else "would skip: "
            return Held(c, word + why, "skipped", f"not sent: {why}")
        return Ready(c, lambda: _sent(psa_writes.send(session, c, on)), read=now)

    def not_sent(self, change: CommerceChange) -> str:
        return f"psa change P{change.n} ({_said(change)}) was not sent"

    def lost(self, change: CommerceChange, sent: Sent) -> str:
        return (
            f"psa change P{change.n} was sent and its journal line says only 'sending': check line {change.api_id} "
            f"of agreement {change.subscription} in {NAMES.get(change.source, change.source)} before anything else"
        )


def apply_psa_changes(
    plan: PlanFile,
    make_client: Callable[[], Any],
    today: date,
    *,
    yes: bool,
    endpoints: Mapping[str, str | None],
    fresh: Callable[[], FreshPlan],
    journal_path: str | None = None,
) -> int:
    """`apply PLAN --psa [--yes] [--journal FILE]`: the plan's psa changes that `fresh` (the plan compiled again
    from the tenant and its PSA as they are now, under the operator's policy) holds the same, once the
    credential is shown to sign in to the plan's tenant; exit 3 when one is refused, failed or unknown."""

    def before(changes: Sequence[CommerceChange]) -> None:
        # the keys, before the tenant's sign-in
        with sessions_for(PSAS, {c.source for c in changes}, endpoints, os.environ):
            pass

    @contextlib.contextmanager
    def opened(changes: Sequence[CommerceChange], data: bytes, client: Any) -> Iterator[_Kind]:
        with sessions_for(PSAS, {c.source for c in changes}, endpoints, os.environ) as sessions:
            yield _Kind(sessions, today, sys.stdout, plan.sha256)

    def failed(n: int, journal: Path | None) -> str:
        return f"{n} psa change(s) refused, failed or with an unknown outcome; " + (
            f"the journal {journal} says which" if journal else "the lines above say which"
        )

    entry = BillEntry(
        _Kind.flag,
        WHERE,
        "no quantity the policy's psa_quantity would change",
        PREFIX,
        psa_of,
        opened,
        failed,
        before,
        keeps_plan=True,
    )
    return apply_bill(entry, plan, make_client, today, fresh, yes=yes, journal=journal_path)
