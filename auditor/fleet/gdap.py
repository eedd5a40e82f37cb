"""The partner's granular delegated admin (GDAP) relationships beside the roll-up (docs/msp.md, "GDAP:
relationships before they lapse"):

    GET /tenantRelationships/delegatedAdminRelationships          DelegatedAdminRelationship.Read.All

read in the partner's own tenant with the partner's credential (the tenants file's `partner:` block, as
for Partner Center; auditor.fleet.partner), every page followed, each page read as bytes through the
SDK's request adapter (auditor.graph.GraphClient) and checked here. Then each tenant of the roll-up gets
its customer's relationships in one word (`gdap` in its row of tenants.json):

    ending   every active relationship ends within WITHIN_DAYS days and none is extended automatically
             (autoExtendDuration PT0S or P0D: "PT0S indicates that the relationship expires when the
             endDateTime is reached and it isn't automatically extended")
    active   an active relationship lasts past WITHIN_DAYS days, or is extended automatically (P180D)
    ended    none is active, and one expired or was terminated, or its endDateTime has passed whatever
             its status says: `ended` is its endDateTime's day
    none     the listing names no relationship with the customer that is or was active

A status is compared as Graph's enum is spelt, without regard to case ("Active" is active), and a
relationship whose endDateTime's day is before the roll-up's is ended, never "ends in 0 days": the
status lags the end ("expiring: The relationship has passed its expiration date"). The roll-up names
every customer whose relationship has ended or who has none, whatever its audit did (gdap_text), and
`forbidden` when the tenant's audit failed on a Graph 403: with no active relationship the 403 is
the relationship's end; with an active one it is a permission or role problem (auditor.fleet.gdap_text
says which). What cannot be read (no `partner:` block, a 403 or 404 on the listing, a failed sign-in,
an answer not as documented) is the roll-up's named gap (`gdap.gap`), never silence, never a failed run.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeGuard

from azure.core.credentials import TokenCredential

from auditor.common.errors import AuditorError, UsageError, clean_message
from auditor.data.enums import Cloud
from auditor.formats.report_json import decode_report

from ..delivery.matrix import PartnerBlock
from ..graph.arguments import AuthMode
from ..graph.auth import TOKEN_ENV, StaticTokenCredential, build_credential, resolve_mode
from ..graph.client import GraphClient, GraphRequestError
from ..graph.clouds import endpoints
from ..i18n import english_count
from .rollup_model import GdapBlock, GdapJudged, Rollup, TenantRow

PATH = "/tenantRelationships/delegatedAdminRelationships"
REQUEST = f"GET {PATH}"
PERMISSION = "DelegatedAdminRelationship.Read.All"
TOP = 300  # "$top supports up to 300 objects."
NOT_EXTENDED = frozenset(("PT0S", "P0D"))  # of the supported values P0D, PT0S and P180D
WITHIN_DAYS = 30
PARTNER_GRAPH_TOKEN_ENV = "AUDITOR_PARTNER_GRAPH_TOKEN"  # --auth token: the partner tenant's Graph token
ACTIVE = "active"
# "expiring: The relationship has passed its expiration date." and the states on the way to terminated
ENDED = frozenset(("expiring", "expired", "terminationrequested", "terminating", "terminated"))  # in lower case
STATES = ("ending", "active", "ended", "none")
KINDS = ("no_partner", "refused", "failed")
_CORE = frozenset(("organization", "subscribedSkus", "users"))  # the parts without which nothing is judged
_FORBIDDEN = re.compile(r"(?:failed: |HTTP |answered )403\b")


@dataclass(frozen=True)
class Relationship:
    name: str
    customer: str  # the customer's tenant id, lower case
    status: str
    ends: datetime | None
    auto_extend: str

    @property
    def extended(self) -> bool:
        return self.auto_extend not in NOT_EXTENDED


@dataclass(frozen=True)
class Reading:
    """The listing, or why it was not read (`kind`: one of KINDS, `gap`: the detail, in English)."""

    relationships: tuple[Relationship, ...] = ()
    kind: str | None = None
    gap: str | None = None


class BadListing(ValueError):
    """An answer that is not the documented delegatedAdminRelationship collection."""


def _time(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadListing(f"{field} is not a timestamp")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadListing(f"{field} {value[:40]!r} is not an ISO 8601 timestamp") from None


def parse(item: object) -> Relationship:
    """One relationship of a page, checked (tenant data: a field of another type is refused)."""
    if not isinstance(item, dict):
        raise BadListing("an item is not an object")
    customer = item.get("customer")
    tenant = customer.get("tenantId") if isinstance(customer, dict) else None
    texts = {"displayName": item.get("displayName"), "status": item.get("status"), "customer.tenantId": tenant}
    for field, value in texts.items():
        if not isinstance(value, str):
            raise BadListing(f"{field} is not a string")
    extend = item.get("autoExtendDuration", "PT0S")  # "The default value is PT0S."
    if not isinstance(extend, str):
        raise BadListing("autoExtendDuration is not a duration")
    return Relationship(
        name=str(item["displayName"])[:100],
        customer=str(tenant).lower(),
        status=str(item["status"]),
        ends=_time(item.get("endDateTime"), "endDateTime"),
        auto_extend=extend.upper(),
    )


async def read(client: GraphClient) -> tuple[Relationship, ...]:
    """Every relationship of the partner tenant, every page; GraphRequestError, CollectionError or
    BadListing when it cannot be read whole."""
    found: list[Relationship] = []
    async for items in client.pages(f"{PATH}?$top={TOP}"):
        found += [parse(item) for item in items]
    return tuple(found)


def from_graph(base_url: str, credential: TokenCredential, description: str, scope: str | None = None) -> Reading:
    """The listing through one Graph client (the partner tenant's, or the demo's emulator)."""

    async def go() -> tuple[Relationship, ...]:
        client = GraphClient(base_url=base_url, credential=credential, scope=scope, auth_description=description)
        try:
            return await read(client)
        finally:
            await client.aclose()

    try:
        return Reading(asyncio.run(go()))
    except GraphRequestError as exc:
        said = f": {exc.graph_message.strip()}" if exc.graph_message.strip() else ""
        kind = "refused" if exc.status in (401, 403, 404) else "failed"
        return Reading(kind=kind, gap=clean_message(f"{REQUEST} answered {exc.status} {exc.code}{said}")[:400])
    except BadListing as exc:
        return Reading(kind="failed", gap=f"{REQUEST} answered what Graph does not document ({exc})")
    except AuditorError as exc:  # a failed sign-in, the network, throttling past the retries
        return Reading(kind="failed", gap=clean_message(str(exc))[:400])


def for_partner(
    block: PartnerBlock | None, *, auth: str | None, endpoint: str | None, env: Mapping[str, str]
) -> Reading:
    """The listing in the partner's tenant with the partner's app (the file's `partner:` block)."""
    if block is None:
        return Reading(kind="no_partner", gap="the tenants file has no `partner:` block")
    signed = partner_credential(block, auth=auth, env=env)
    if isinstance(signed, str):
        return Reading(kind="failed", gap=signed)
    credential, description, scope, graph_v1 = signed
    return from_graph(endpoint or graph_v1, credential, description, scope)


def partner_credential(
    block: PartnerBlock, *, auth: str | None, env: Mapping[str, str]
) -> tuple[TokenCredential, str, str, str] | str:
    """(credential, its description, scope, Graph v1.0 URL) of the partner's own tenant, signed in as the
    `partner:` block's app (the GDAP listing's and the partner billing export's), else why not (a gap)."""
    asked = AuthMode(auth or AuthMode.AUTO.value)
    mine = {**env, "AZURE_TENANT_ID": block.tenant_id, "AZURE_CLIENT_ID": block.client_id}
    token = env.get(PARTNER_GRAPH_TOKEN_ENV, "").strip()
    # a run that signs in with tokens (AUDITOR_ACCESS_TOKEN under auto) reads the partner with its own token:
    # the customers' token is never the partner's
    mode = AuthMode.TOKEN if asked is AuthMode.AUTO and token else resolve_mode(asked, mine, block.tenant_id)
    mine.pop(TOKEN_ENV, None)
    ep = endpoints(Cloud.WORLDWIDE)  # the partner's own tenant: the worldwide service
    try:
        if mode is AuthMode.TOKEN:
            if not token:
                return f"signing in with tokens: {PARTNER_GRAPH_TOKEN_ENV} is not set"
            credential: TokenCredential = StaticTokenCredential(token)
            description = f"bearer token from {PARTNER_GRAPH_TOKEN_ENV}"
        else:
            built = build_credential(mode, tenant_id=block.tenant_id, cloud=ep, env=mine)
            credential, description = built.credential, built.description
    except AuditorError as exc:
        return clean_message(str(exc))[:400]
    return credential, description, ep.scope, ep.graph_v1


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def _stamp(moment: datetime | None, otherwise: float) -> float:
    return moment.timestamp() if moment is not None else otherwise


def has_ended(relationship: Relationship, today: date) -> bool:
    """Ended by its status (any case), or by an endDateTime whose day is already past, whatever the status says."""
    past = relationship.ends is not None and relationship.ends.date() < today
    return relationship.status.lower() in ENDED or past


def judge(relationships: Iterable[Relationship], tenant_id: str, today: date) -> GdapJudged:
    """A customer's relationships in one word (STATES), with the relationship that says it."""
    mine = [r for r in relationships if r.customer == tenant_id.lower()]
    active = [r for r in mine if r.status.lower() == ACTIVE and not has_ended(r, today)]
    lasting = [r for r in active if r.extended or r.ends is None or (r.ends.date() - today).days > WITHIN_DAYS]
    if lasting:
        last = max(lasting, key=lambda r: (r.extended, _stamp(r.ends, float("inf"))))
        return {"state": "active", "relationship": last.name, "ends": _day(last.ends), "auto_extend": last.auto_extend}
    if active:
        last = max(active, key=lambda r: _stamp(r.ends, float("inf")))
        days = (last.ends.date() - today).days if last.ends else None
        return {
            "state": "ending",
            "relationship": last.name,
            "ends": _day(last.ends),
            "days": days,
            "auto_extend": last.auto_extend,
        }
    ended = [r for r in mine if has_ended(r, today)]
    if ended:
        last = max(ended, key=lambda r: _stamp(r.ends, float("-inf")))
        return {"state": "ended", "relationship": last.name, "ended": _day(last.ends), "status": last.status}
    return {"state": "none"}


def forbidden(row: TenantRow, folder: Path) -> bool:
    """Graph refused the tenant's reads with 403: its audit failed on one, or its report is incomplete
    because the organization, its products or its users were refused (a 403 on a part is a gap there)."""
    if row.get("status") == "failed":
        return bool(_FORBIDDEN.search(str(row.get("reason") or "")))
    if row.get("status") != "incomplete" or folder.is_symlink():
        return False
    path = folder / "report.json"
    try:
        gaps = decode_report(path.read_bytes(), str(path)).gaps
    except (OSError, UsageError):  # no report, or not one: nothing says Graph refused
        return False
    return any(g.part in _CORE and g.reason.startswith("Graph answered 403") for g in gaps)


def attach(doc: Rollup, reading: Reading, today: date, root: Path) -> Rollup:
    """`doc` (a roll-up document of the tenants in `root`) with its `gdap` block and each tenant's `gdap`."""
    if reading.kind is not None:
        doc["gdap"] = {"read": False, "kind": reading.kind, "gap": reading.gap}
        return doc
    doc["gdap"] = {"read": True, "on": today.isoformat(), "relationships": len(reading.relationships)}
    for row in doc["tenants"]:
        judged = judge(reading.relationships, str(row.get("tenant_id") or ""), today)
        row["gdap"] = {**judged, "forbidden": forbidden(row, root / str(row["key"]))}
    return doc


def joined(blocks: Sequence[object]) -> GdapBlock | None:
    """The shards' `gdap` blocks as one: the first gap, else the first reading; None without any."""
    given = [b for b in blocks if isinstance(b, dict)]
    gap = next((b for b in given if not b.get("read")), None)
    chosen = gap or (given[0] if given else None)
    return chosen if chosen is not None and block_ok(chosen) else None


def block_ok(block: object) -> TypeGuard[GdapBlock]:
    if not isinstance(block, dict) or not isinstance(block.get("read"), bool):
        return False
    if block["read"]:
        return isinstance(block.get("relationships"), int) and isinstance(block.get("on"), str)
    return block.get("kind") in KINDS and isinstance(block.get("gap"), str | None)


def row_ok(value: object) -> bool:
    """A tenant row's `gdap` as attach writes it (tenants.json joined from shards is read back)."""
    if value is None:
        return True
    if not isinstance(value, dict) or value.get("state") not in STATES or not isinstance(value.get("forbidden"), bool):
        return False
    texts = ("relationship", "ends", "ended", "status", "auto_extend")
    days = value.get("days")
    return all(value.get(k) is None or isinstance(value[k], str) for k in texts) and (
        days is None or (isinstance(days, int) and not isinstance(days, bool))
    )


def say(reading: Reading) -> None:
    """The run's one line about the relationships, on stderr."""
    if reading.kind is not None:
        line = f"license-auditor: GDAP relationships not read ({reading.kind}): {reading.gap}"
    else:
        read = english_count(len(reading.relationships), "GDAP relationship", "GDAP relationships")
        line = f"license-auditor: {read} read in the partner tenant"
    print(clean_message(line), file=sys.stderr)


Reader = Callable[[], Reading]
