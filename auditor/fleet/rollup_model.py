"""tenants.json, the roll-up of many tenants (docs/msp.md): its rows and the document around them.

TypedDicts: tenants.json is read back when the roll-ups of several shards are joined
(auditor.fleet.rollup.join checks each row first) and its keys stay as they are written; the
GDAP blocks (auditor.fleet.gdap) and the distributor's figures (auditor.billing.distributor_seats)
are their modules' own JSON.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from auditor.billing.distributor_records import RollupFigures
from auditor.billing.psa_records import PsaRollup


class NextWindow(TypedDict):
    """The bill's next reduction whose 7-day window closes, and what it saves a month."""

    by: str
    monthly_saving: float


class LastMonth(TypedDict):
    """The tenant's seats and spend a month earlier, from its history."""

    as_of: str
    seats: int
    spend_monthly: float | None


class TenantRow(TypedDict):
    """One tenant's row (auditor.fleet.rollup.tenant_row)."""

    key: str
    name: str
    tenant_id: str
    status: str  # ok | incomplete | failed
    exit_code: int
    findings: dict[str, int] | None  # by severity
    unused_monthly: float | None
    plan_monthly_saving: float | None
    currency: str | None
    next_window: NextWindow | None
    seats_short: list[str]
    seats: int | None
    spend_monthly: float | None
    last_month: LastMonth | None
    distributor: RollupFigures | None  # auditor.fleet.distributor_cells.rollup_figures
    psa: NotRequired[PsaRollup | None]  # auditor.fleet.psa_cells.rollup_figures
    seconds: float
    requests: int | None
    reason: str | None
    gdap: NotRequired[dict[str, Any] | None]  # auditor.fleet.gdap.attach


class Rollup(TypedDict):
    """tenants.json: the rows, ranked; `missing` only when tenants of the file are in no shard."""

    schema_version: int
    generated_at: str
    shard: str | None
    tenants: list[TenantRow]
    missing: NotRequired[list[str]]
    gdap: NotRequired[dict[str, Any]]  # auditor.fleet.gdap.attach
