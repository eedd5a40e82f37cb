"""The roll-up of many tenants: OUTPUT_DIR/tenants.json, tenants.md and digest.html (docs/msp.md).

One row per tenant, read from its own report.json: status, exit code, the reason when it failed,
findings by severity, unused monthly spend, what its plan saves a month, the next 7-day window that
closes and its money, the products short of seats, and the run's seconds and Graph requests. Rows
are ranked for an MSP: failed tenants first (never silently missing), then those whose window
closes within 3 days, then by money at stake. `license-auditor rollup DIR...` joins the roll-ups of
several shards into one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from msgspec import UNSET

from auditor.common.errors import UsageError
from auditor.common.outputs import write_text
from auditor.common.run_record import RunKind, check_parts
from auditor.data.model import Locale
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument

from ..delivery.content import SUBJECT_PREFIX, Attachment, ReportMail, header_safe
from ..delivery.matrix import TenantJob
from ..i18n import translations
from ..insights.history import Record, read_history
from . import credit_cells, gdap, invoice_cells
from .copilot_cells import copilot_figures
from .copilot_cells import row_ok as copilot_row_ok
from .distributor_cells import distributor_figures
from .psa_cells import psa_figures
from .rollup_model import SEVERITIES, LastMonth, NextWindow, Rollup, TenantRow
from .rollup_text import digest, headline, markdown

SCHEMA_VERSION = 1
URGENT_DAYS = 3  # a 7-day window closing within this many days leads the roll-up
SEVEN_DAY_WINDOW = "within_7_days"  # the bill's window of a reduction within 7 days (auditor.plan.bill)
HISTORY = "history.jsonl"  # each tenant's history in its folder (auditor.fleet.run.history_name)
MONTH_DAYS = 28  # "last month": the newest record of the tenant's history at least this many days older


@dataclass(frozen=True)
class Outcome:
    """How one tenant's audit ended."""

    job: TenantJob
    status: str  # ok | incomplete | failed
    exit_code: int
    reason: str | None
    seconds: float
    requests: int | None


def _plan_saving(report: ReportDocument) -> float | None:
    """What the tenant's plan takes off its bill a month, as the tenant's own report and digest say it
    (auditor.plan.money.opening): the bill's lowers_monthly, else the plan's net at the seat prices;
    without report.json's money, the bill's reductions."""
    money = report.money
    if money is not UNSET:
        lowers = money.bill.lowers_monthly
        return lowers if lowers is not None else money.plan.net_monthly
    bill = report.bill if report.bill is not UNSET else None
    savings = [a.monthly_saving for a in (bill.actions if bill is not None else [])]
    return round(sum(s for s in savings if s), 2) if any(savings) else None


def _next_window(report: ReportDocument) -> NextWindow | None:
    """The bill's next reduction whose 7-day window (after a purchase, a renewal or a seat addition)
    closes, and what it saves a month; a renewal or EST date is not such a window."""
    bill = report.bill if report.bill is not UNSET else None
    dated = [
        a
        for a in (bill.actions if bill is not None else [])
        if a.by and a.window == SEVEN_DAY_WINDOW and a.monthly_saving
    ]
    if not dated:
        return None
    first = min(dated, key=lambda a: str(a.by))
    return {"by": str(first.by), "monthly_saving": first.monthly_saving}


def _seats(report: ReportDocument) -> int | None:
    """The paid licenses in use: the consumed seats of the products that are not free (as history's `seats`)."""
    skus = report.skus
    return sum(s.consumed for s in skus if not s.free) if skus else None


def last_month(report: ReportDocument, history: Path) -> LastMonth | None:
    """The tenant's seats and spend a month before this report, from its own history: the newest
    complete record at least MONTH_DAYS older than the report's as_of that has them; None without one."""
    try:
        now = datetime.fromisoformat(str(report.as_of or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    if not history.is_file():
        return None
    tenant = report.tenant.id
    records, _ = read_history(history)

    def age(r: Record) -> float:
        return (now - datetime.fromisoformat(r.as_of.replace("Z", "+00:00"))).total_seconds() / 86400

    older = [r for r in records if r.tenant == tenant and r.complete and r.seats is not None and age(r) >= MONTH_DAYS]
    if not older:
        return None
    then = max(older, key=lambda r: r.as_of)
    if then.seats is None:  # never: `older` has seats
        return None
    return {"as_of": then.as_of[:10], "seats": then.seats, "spend_monthly": then.spend_monthly}


def tenant_row(outcome: Outcome, folder: Path, history: str = HISTORY) -> TenantRow:
    """The roll-up's row of one tenant (tenants.json's contract, docs/msp.md)."""
    job = outcome.job
    report: ReportDocument | None = None
    if outcome.status != "failed":
        try:  # as `plan` and `merge` read it (auditor.formats.report_json); a file it refuses counts as none
            report = decode_report((folder / "report.json").read_bytes(), str(folder / "report.json"))
        except (OSError, UsageError):
            report = None
    summary = report.summary if report is not None else None
    unused = summary.unused_monthly_cost if summary is not None else None
    money = report.money if report is not None and report.money is not UNSET else None
    return {
        "key": job.key,
        "name": job.name,
        "tenant_id": job.tenant_id,
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "findings": {s: summary.by_severity.get(s, 0) for s in SEVERITIES} if summary is not None else None,
        "unused_monthly": unused.amount if unused is not None else None,
        "plan_monthly_saving": _plan_saving(report) if report is not None else None,
        "currency": unused.currency if unused is not None else None,
        "next_window": _next_window(report) if report is not None else None,
        "seats_short": sorted(s.sku for s in report.skus if s.unused < 0) if report is not None else [],
        "seats": _seats(report) if report is not None else None,
        "spend_monthly": money.spend_monthly if money is not None else None,
        "last_month": last_month(report, folder / history) if report is not None else None,
        "distributor": distributor_figures(folder) if report is not None else None,
        "psa": psa_figures(folder) if report is not None else None,
        "invoices": invoice_cells.invoice_figures(folder) if report is not None else None,
        "copilot": copilot_figures(report) if report is not None else None,
        "copilot_credits": credit_cells.credit_figures(report) if report is not None else None,
        "seconds": outcome.seconds,
        "requests": outcome.requests,
        "reason": outcome.reason,
    }


def rank(rows: Iterable[TenantRow], today: date) -> list[TenantRow]:
    """Failed tenants first, then windows closing within URGENT_DAYS (soonest first), then money at stake."""

    def key(row: TenantRow) -> tuple[int, str, float, str]:
        window = row.get("next_window")
        urgent = bool(window) and window is not None and (date.fromisoformat(window["by"]) - today).days <= URGENT_DAYS
        stake = max(row.get("unused_monthly") or 0.0, row.get("plan_monthly_saving") or 0.0)
        return (
            0 if row["status"] == "failed" else 1 if urgent else 2,
            window["by"] if urgent and window is not None else "",
            -stake,
            row["key"],
        )

    return sorted(rows, key=key)


def document(
    rows: Sequence[TenantRow], generated_at: datetime, shard: str | None, missing: Sequence[str] = ()
) -> Rollup:
    out: Rollup = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "shard": shard,
        "tenants": list(rows),
    }
    if missing:
        out["missing"] = list(missing)
    return out


def write_rollup(
    root: Path,
    outcomes: Sequence[Outcome],
    *,
    generated_at: datetime,
    shard: str | None,
    locale: str | None,
    history: str = HISTORY,
    relationships: gdap.Reading | None = None,
    judged_on: date | None = None,
) -> list[Path]:
    rows = rank((tenant_row(o, root / o.job.key, history) for o in outcomes), generated_at.date())
    doc = document(rows, generated_at, shard)
    if relationships is not None:
        doc = gdap.attach(doc, relationships, judged_on or generated_at.date(), root)
    return write_documents(root, doc, Locale(locale or "en"))


def write_documents(root: Path, doc: Rollup, locale: Locale) -> list[Path]:
    """tenants.json, tenants.md and digest.html of a roll-up document."""
    t = translations(locale)
    paths = [root / "tenants.json", root / "tenants.md", root / "digest.html"]
    # each renamed into place (auditor.common.outputs): a link planted at its name is replaced, never followed
    write_text(paths[0], json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    write_text(paths[1], markdown(doc, t, locale))
    write_text(paths[2], digest(doc, t, locale))
    return paths


def rollup_mail(root: Path, locale: Locale, *, attachment_limit: int, run_url: str | None) -> ReportMail:
    """The MSP's e-mail of the roll-up in `root`: digest.html as the body, tenants.md as its text and
    attached (every tenant, where the digest names the ones that matter most) when it fits the limit. Each
    part is checked to be the roll-up's own (run.json: auditor.common.run_record), never a one-tenant run's."""
    check_parts(root, ("tenants.json", "tenants.md", "digest.html"), kinds=(RunKind.FLEET,))
    doc = json.loads((root / "tenants.json").read_text("utf-8"))
    t = translations(locale)
    title = t.pgettext("rollup_title", "License audit of multiple tenants")
    table = (root / "tenants.md").read_bytes()
    text = table.decode("utf-8")
    if run_url:
        text = f"CI run: {run_url}\n\n{text}"
    attachment = Attachment("tenants.md", "text/markdown", table) if len(table) <= attachment_limit else None
    return ReportMail(
        subject=f"{SUBJECT_PREFIX} {header_safe(title)}: {header_safe(headline(doc, t, locale), 400)}",
        text=text,
        html=(root / "digest.html").read_text("utf-8"),
        attachment=attachment,
        run_url=run_url,
        tenant_name="",
    )


STATUSES = ("ok", "incomplete", "failed")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _day(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _row_problem(row: object) -> str | None:
    """What makes `row` no tenant row of tenants.json (the fields tenant_row writes), or None."""
    if not isinstance(row, dict) or not isinstance(row.get("key"), str) or not row["key"]:
        return "a tenant row is not an object with a key"
    checks = {
        "status": row.get("status") in STATUSES,
        "name": isinstance(row.get("name"), str),
        "tenant_id": isinstance(row.get("tenant_id"), str),
        "exit_code": isinstance(row.get("exit_code"), int) and not isinstance(row.get("exit_code"), bool),
        "findings": row.get("findings") is None
        or (isinstance(row["findings"], dict) and all(_number(row["findings"].get(s)) for s in SEVERITIES)),
        "unused_monthly": row.get("unused_monthly") is None or _number(row["unused_monthly"]),
        "plan_monthly_saving": row.get("plan_monthly_saving") is None or _number(row["plan_monthly_saving"]),
        "currency": row.get("currency") is None or isinstance(row["currency"], str),
        "next_window": row.get("next_window") is None
        or (
            isinstance(row["next_window"], dict)
            and _day(row["next_window"].get("by"))
            and (row["next_window"].get("monthly_saving") is None or _number(row["next_window"]["monthly_saving"]))
        ),
        "seats_short": isinstance(row.get("seats_short", []), list)
        and all(isinstance(s, str) for s in row.get("seats_short", [])),
        "reason": row.get("reason") is None or isinstance(row["reason"], str),
        "distributor": row.get("distributor") is None
        or (
            isinstance(row["distributor"], dict)
            and (row["distributor"].get("differences") is None or isinstance(row["distributor"]["differences"], int))
            and (row["distributor"].get("error") is None or isinstance(row["distributor"]["error"], str))
        ),
        "psa": row.get("psa") is None
        or (
            isinstance(row["psa"], dict)
            and (row["psa"].get("differences") is None or _number(row["psa"]["differences"]))
        ),
        "invoices": invoice_cells.row_ok(row.get("invoices")),
        "gdap": gdap.row_ok(row.get("gdap")),
        "copilot": copilot_row_ok(row.get("copilot")),
        "copilot_credits": credit_cells.row_ok(row.get("copilot_credits")),
        "seats": row.get("seats") is None or (isinstance(row["seats"], int) and not isinstance(row["seats"], bool)),
        "spend_monthly": row.get("spend_monthly") is None or _number(row["spend_monthly"]),
        "last_month": row.get("last_month") is None
        or (
            isinstance(row["last_month"], dict)
            and _day(row["last_month"].get("as_of"))
            and isinstance(row["last_month"].get("seats"), int)
            and (row["last_month"].get("spend_monthly") is None or _number(row["last_month"]["spend_monthly"]))
        ),
    }
    bad = next((field for field, ok in checks.items() if not ok), None)
    return None if bad is None else f"tenant {row['key'][:80]!r}: {bad} is not as tenant_row writes it"


def join(paths: Sequence[Path], expected: Sequence[TenantJob] | None) -> Rollup:
    """The roll-ups of several shards as one: a tenant in two shards is an error; a tenant of the file
    in none is listed as missing."""
    rows: dict[str, TenantRow] = {}
    stamps: list[str] = []
    relationships: list[Any] = []  # each shard's `gdap` block
    for folder in paths:
        source = folder / "tenants.json" if folder.is_dir() else folder
        try:
            doc = json.loads(source.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{source}: cannot read a roll-up: {exc}") from None
        if (
            not isinstance(doc, dict)
            or doc.get("schema_version") != SCHEMA_VERSION
            or not isinstance(doc.get("tenants"), list)
        ):
            raise UsageError(f"{source}: not a tenants.json of schema_version {SCHEMA_VERSION}")
        stamp = doc.get("generated_at") or ""
        try:
            if stamp:
                datetime.fromisoformat(stamp)
        except (TypeError, ValueError):
            raise UsageError(f"{source}: generated_at {str(stamp)[:40]!r} is not an ISO 8601 time") from None
        stamps.append(stamp)
        relationships.append(doc.get("gdap"))
        for row in doc["tenants"]:
            problem = _row_problem(row)
            if problem is not None:
                raise UsageError(f"{source}: {problem} (docs/msp.md)")
            if row.get("key") in rows:
                raise UsageError(f"{source}: tenant {row.get('key')!r} is in two shards")
            rows[str(row.get("key"))] = cast(TenantRow, row)  # as tenant_row writes it: checked above
    missing = sorted(job.key for job in expected or () if job.key not in rows)
    generated = min((s for s in stamps if s), default="")
    today = datetime.fromisoformat(generated).date() if generated else date.today()
    out: Rollup = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated,
        "shard": None,
        "tenants": rank(rows.values(), today),
    }
    if missing:
        out["missing"] = missing
    block = gdap.joined(relationships)
    if block is not None:
        out["gdap"] = block
    return out
