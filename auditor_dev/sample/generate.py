"""Deterministic tenant generator: the bundled sample tenant and the benchmark tenants.

`python -m auditor_dev.sample` rewrites auditor_dev/sample/sample-tenant.json (seed 7, 240 users).
Most users are clean; every rule of examples/contoso-policy.yaml is planted at least once, and the
planted share stays the same at any size so large tenants behave like real ones.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from auditor.data.agents import AGENT_IDENTITIES, AGENT_USERS
from auditor.data.audit_entries import DISABLE, UPDATE
from auditor.data.model import Cloud, TenantSnapshot
from auditor.data.usage_data import COPILOT, COPILOT_ACTIVITY, MAILBOXES, ONEDRIVE, USAGE_REPORTS
from auditor.snapshot import (
    LEAVE_DATE,
    LICENSE_ERROR_GROUPS,
    MAILBOX_SETTINGS,
    SIGN_IN_ACTIVITY,
    UserDecoder,
    snapshot_from_json,
    with_agents,
)

from ..emulator.reports import documented
from . import REFERENCE
from .builder import NEVER, SKUS, Builder, service_plans

# Products added after the first sample: their ids come from a random stream of their own, so the
# products and subscriptions drawn before them stay as they were.
LATE_SKUS = ("EXCHANGESTANDARD",)
# Products added with the usage rules: ids from a stream of their own again.
USAGE_SKUS = ("Microsoft_365_Copilot",)
# Products added with the account kinds (docs/account-kinds.md): ids from a stream of their own.
KIND_SKUS = ("PHONESYSTEM_VIRTUALUSER", "Microsoft_Teams_Rooms_Pro", "AGENT_365")
RESOURCE_DEPARTMENT = "Microsoft Communication Application Instance"  # as Teams' tooling sets it
# Microsoft 365 Copilot's service plans, as the product-names table lists them for its education
# variant (the table has no row for the commercial product yet).
COPILOT_PLANS = (
    ("M365_COPILOT_APPS", "a62f8878-de10-42f3-b68f-6149a25ceb97"),
    ("M365_COPILOT_BUSINESS_CHAT", "3f30311c-6b1e-48a4-ab79-725b469da960"),
    ("M365_COPILOT_CONNECTORS", "89f1c4c8-0878-40f7-804d-869c9128ab5d"),
    ("M365_COPILOT_INTELLIGENT_SEARCH", "931e4a88-a67f-48b5-814f-16a5f1e6028d"),
    ("M365_COPILOT_SHAREPOINT", "0aedf20c-091d-420b-aadf-30c042609612"),
    ("M365_COPILOT_TEAMS", "b95945de-b3bd-46db-8437-f2beb6ea2347"),
)
# The example policy's usage reports and their period (its longest usage window is 90 days)
WAITING = 6  # the population's user (user000006: E3, enabled, active) who waits for a Copilot seat
USAGE_DAYS = 90  # D90 for the Copilot report; the storage reports are always read with D7
GIB = 1024**3
# Mailbox and OneDrive sizes of a few E3 holders (bytes, archive): the evidence a replacement by a
# smaller plan rests on (Exchange Online Kiosk holds 2 GB: 1.1 GB fits, 8.4 GB does not)
STORAGE = (
    ("floor.manager", round(1.1 * GIB), False, 4_210, round(0.4 * GIB)),
    ("direct.e3", round(8.4 * GIB), False, 61_877, round(1.6 * GIB)),
    ("never.signed.in", round(3.2 * GIB), True, 20_554, round(5 * GIB)),
)
USAGE_REFRESHED = (REFERENCE - timedelta(days=2)).strftime("%Y-%m-%d")  # reports lag a day or two
EXCHANGE_PLAN_2 = "efb87545-963c-4e0d-99df-69c6916d9eb0"  # EXCHANGE_S_ENTERPRISE, in SPE_E3
# spare seats per SKU: E3 one short of the policy's minimum, E5 over its limit
HEADROOM = {
    "SPE_E3": 1,
    "SPE_E5": 5,
    "SPE_F1": 3,
    "FLOW_FREE": 10000,
    "POWER_BI_PRO": 3,
    "EMS": 0,
    "VISIOCLIENT": 2,
    "PROJECTPROFESSIONAL": 5,
    "EXCHANGESTANDARD": 2,
    "Microsoft_365_Copilot": 1,
    "PHONESYSTEM_VIRTUALUSER": 4,
    "Microsoft_Teams_Rooms_Pro": 0,
    "AGENT_365": 0,
}
# Seat lifecycle cases: Visio's subscription has expired and all its seats are in the grace period
# (seats-in-grace); 5 more Visio seats belong to an older subscription, suspended, and 3 of its users
# hold a license beyond the seats in grace (license-suspended). Visio is a product the demo's plan
# neither takes away nor gives, so an undo of the demo's apply needs no seat the suspension holds back.
IN_GRACE = "VISIOCLIENT"
SUSPENDED = ("VISIOCLIENT", 5)
# The commerce side (docs/bill.md; sample-billing.csv gives the terms): every subscription has a
# commerceSubscriptionId, derived from its id so no random draw moves; a partner tenant created the
# Copilot subscription; 3 of the Power BI Pro seats are a subscription of their own, bought 4 days
# before the sample's clock (inside its 7-day cancellation window).
COMMERCE = uuid.UUID("6c1d3b0e-8f0a-4c5e-9a57-3e2f0b1c0de0")
PARTNER_TENANT = "2b7e5a1c-4d3f-4e8a-9c6b-7a1d0e5f3b92"
PARTNER_SKU = "Microsoft_365_Copilot"
SPLIT = ("POWER_BI_PRO", 3, 4)  # product, seats of the new subscription, days since its purchase


def commerce_id(subscription_id: str) -> str:
    return str(uuid.uuid5(COMMERCE, subscription_id))


# The example policy's inactivity window: the accounts whose mailbox purpose a collection reads.
INACTIVE_DAYS = 90
_CUTOFF = (REFERENCE - timedelta(days=INACTIVE_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mailbox_candidate(user: dict[str, Any]) -> bool:
    """Whether a collection at REFERENCE reads this account's mailbox purpose (graph.collector.
    MailboxCheck): licensed and disabled, or licensed without a successful sign-in in the window."""
    if not user["assignedLicenses"]:
        return False
    if not user["accountEnabled"]:
        return True
    activity = user.get("signInActivity") or {}
    if "lastSuccessfulSignInDateTime" in activity:
        last = activity["lastSuccessfulSignInDateTime"]
    else:
        seen = [t for t in (activity.get("lastSignInDateTime"), activity.get("lastNonInteractiveSignInDateTime")) if t]
        last = max(seen) if seen else None
    return last is None or last < _CUTOFF  # plain UTC text: text order is time order ("0001-..." is never)


class TenantStream:
    """A generated tenant, one user at a time, so a million users never sit in memory as dicts.

    Iterate `users()` once; afterwards `skus()` then `subscriptions()` (in that order: they draw
    from the same random stream) and `groups()` complete the snapshot document. `head()` is the
    rest of the document. `generate_document` assembles all of it for small tenants.
    """

    def __init__(
        self, users: int = 240, seed: int = 7, tenant_name: str = "Contoso", domain: str = "contoso.example"
    ) -> None:
        self.size = max(users, 40)
        self.seed = seed
        self.tenant_name = tenant_name
        self.domain = domain
        self._b = Builder(random.Random(seed), domain)
        self._consumed = {sku_id: 0 for sku_id in SKUS.values()}
        self._skus: list[dict[str, Any]] | None = None
        self._late_ids = Builder(random.Random(seed * 59), domain)  # ids of LATE_SKUS products
        self._usage_ids = Builder(random.Random(seed * 61), domain)  # ids of USAGE_SKUS products
        self._kind_ids = Builder(random.Random(seed * 79), domain)  # ids of KIND_SKUS products
        self._agents: dict[str, Any] = {AGENT_USERS: [], AGENT_IDENTITIES: []}  # the agent listings
        self._usage_rows: list[dict[str, Any]] = []  # the usage reports' rows of the planted users
        self._waiting = ""  # the id of the population's user who waits for a Copilot seat
        self._audits: list[dict[str, Any]] = []  # directoryAudits entries of the planted leavers
        self._done = False
        self._nested = ""  # the user in Frontline Workers only through a nested group
        b = self._b
        b.group("All Office Staff", ("SPE_E3",))
        b.group("Frontline Workers", ("SPE_F1",))
        b.group("Power BI Users", ("POWER_BI_PRO",))
        b.group("Break Glass Accounts")
        b.group("Executives")

    def head(self) -> dict[str, Any]:
        return {
            "schemaVersion": 1,
            "kind": "license-auditor/snapshot",
            "tenant": {
                "id": str(uuid.UUID(int=random.Random(self.seed * 31).getrandbits(128), version=4)),
                "displayName": self.tenant_name,
                "cloud": Cloud.WORLDWIDE.value,
            },
            "collectedAt": REFERENCE.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "collectedParts": [
                LICENSE_ERROR_GROUPS,
                SIGN_IN_ACTIVITY,
                MAILBOX_SETTINGS,
                USAGE_REPORTS,
                LEAVE_DATE,
                AGENT_USERS,
            ],
            "gaps": [],
        }

    def usage_reports(self) -> dict[str, Any]:
        """The usageReports section a collection with the example policy reads: the Copilot report
        (product-unused) and the mailbox report (shared mailboxes over 50 GB or archived keep their
        license). Rows only for the planted users, so large tenants stay lean."""
        if not self._done:
            raise RuntimeError("usage_reports() needs every user generated first")
        reports = [
            {
                "name": r.name,
                "period": r.period(USAGE_DAYS),
                "reportRefreshDate": USAGE_REFRESHED,
                "request": f"GET {r.request(USAGE_DAYS)}",
                # the header as the collector keeps it (copilot-seat-idle reads every date column)
                **({"columns": list(documented(r.name))} if r is COPILOT else {}),
            }
            for r in (COPILOT, MAILBOXES, ONEDRIVE)
        ]
        rows = sorted(self._usage_rows, key=lambda r: r["userPrincipalName"].lower())
        return {"reports": sorted(reports, key=lambda r: r["name"]), "users": rows}

    def users(self) -> Iterator[dict[str, Any]]:
        for u in self._users():
            for lic in u["assignedLicenses"]:
                self._consumed[lic["skuId"]] += 1
            if "mailboxSettings" not in u and _mailbox_candidate(u):
                u["mailboxSettings"] = {"userPurpose": "user"}  # as the collector would have read it
            yield u
        self._done = True

    def _users(self) -> Iterator[dict[str, Any]]:
        b = self._b
        domain = self.domain
        # planted cases, a fixed handful at any size
        ceo = b.user("ceo", name="Chief Executive", department="Board")
        b.grant(ceo, "SPE_E3", via="All Office Staff")
        b.grant(ceo, "SPE_E5")
        b.join(ceo, "Executives")
        yield ceo
        cfo = b.user("cfo", name="Chief Financial Officer", department="Board")
        b.grant(cfo, "SPE_E3", via="All Office Staff")
        b.grant(cfo, "SPE_E5")  # sku-combination-forbidden, not waived
        b.join(cfo, "Executives")
        yield cfo
        for i in range(2):
            admin = b.user(f"breakglass{i + 1}", name=f"Break Glass {i + 1}", department=None, last_seen_days=40)
            b.grant(admin, "SPE_E3")  # direct, but excepted from the `everyone` entry
            b.join(admin, "Break Glass Accounts")
            yield admin
        odd = b.user("floor.manager", name="Marta Kowalski")
        b.grant(odd, "SPE_E3")  # frontline holding E3 directly: sku-not-allowed, required missing, not group-based
        b.join(odd, "Frontline Workers")
        yield odd
        nolic = b.user("new.starter", name="New Starter")
        # sku-required-missing: in Frontline Workers only through a nested group (see groups()), which
        # group-based licensing does not follow; floor.manager above is a direct member without the copy
        b.join(nolic, "Frontline Workers")
        self._nested = nolic["id"]
        yield nolic
        contractor_e5 = b.user("ext.dev", domain=f"contractors.{domain}", name="Ravi Patel (Contractor)")
        b.grant(contractor_e5, "SPE_E3", via="All Office Staff")
        b.grant(contractor_e5, "SPE_E5")  # sku-forbidden (and E3+E5)
        yield contractor_e5
        guest = b.user("analyst@partner.example", guest=True, name="Partner Analyst", location="NL")
        b.grant(guest, "POWER_BI_PRO", via="Power BI Users")  # guest-licensed (waiver expired)
        yield guest
        erring = b.user("bi.user", name="BI Error User")
        b.grant(erring, "SPE_E3", via="All Office Staff")
        b.grant(erring, "POWER_BI_PRO", via="Power BI Users", error="CountViolation")  # license-assignment-error
        yield erring
        nowhere = b.user("no.location", name="No Location", location=None)
        b.grant(nowhere, "SPE_E3", via="All Office Staff")  # usage-location-missing
        yield nowhere
        ghost = b.user("never.signed.in", name="Never Signed In", last_seen_days=None, created_days=400)
        # as Graph shows an account that never signed in (apply re-reads it before the removal)
        ghost["signInActivity"] = {
            "lastSignInDateTime": NEVER,
            "lastNonInteractiveSignInDateTime": NEVER,
            "lastSuccessfulSignInDateTime": NEVER,
        }
        b.grant(ghost, "SPE_E3", via="All Office Staff")  # inactive (never)
        yield ghost
        direct = b.user("direct.e3", name="Direct Assignee")
        b.grant(direct, "SPE_E3")  # assignment-not-group-based
        # frontline too: its E3 -> F3 waits, an 8.4 GB mailbox does not fit Exchange Online Kiosk's 2 GB
        b.join(direct, "Frontline Workers")
        yield direct

        # the population, with a small steady share of problems
        rest = self.size - b.count
        for i in range(rest):
            roll = b.rng.random()
            frontline = i % 5 == 0
            if frontline:
                u = b.user(f"fl{i:06d}", department="Operations")
                b.grant(u, "SPE_F1", via="Frontline Workers")
                if roll < 0.3:
                    b.grant(u, "FLOW_FREE")
                yield u
                continue
            if i % 50 == 3:
                u = b.user(f"contractor{i:06d}", domain=f"contractors.{domain}")
                b.grant(u, "SPE_E3", via="All Office Staff")
                yield u
                continue
            if i % 37 == 5:
                # unlicensed guest
                yield b.user(f"guest{i:06d}@example.org", guest=True, location=None, department=None)
                continue
            disabled = i % 61 == 7
            inactive = i % 43 == 11
            executive = i % 60 == 8  # executives hold E5 instead of E3
            u = b.user(f"user{i:06d}", enabled=not disabled, last_seen_days=150 + i % 200 if inactive else 1 + i % 40)
            if not executive:
                b.grant(u, "SPE_E3", via="All Office Staff")
            if i % 6 == 1:
                b.grant(u, "POWER_BI_PRO", via="Power BI Users")
            if i % 9 == 2:
                b.grant(u, "EMS")
            if i % 4 == 0:
                b.grant(u, "FLOW_FREE")
            if i % 23 == 4:
                b.grant(u, "VISIOCLIENT")
            if executive:
                b.grant(u, "SPE_E5")
                b.join(u, "Executives")
            if i == WAITING:
                self._waiting = u["id"]  # the member of "Copilot waiting list" (_used)
            yield u
        yield from self._late()
        yield from self._used()
        yield from self._leavers()
        yield from self._kinds()

    def _kinds(self) -> Iterator[dict[str, Any]]:
        """Accounts that are not people, from a random stream of their own (docs/account-kinds.md):
        two Teams resource accounts (one on the free resource license, one on E3), a Teams Rooms
        account, and two agent users holding Agent 365, one of them whose agent identity is deleted.
        The room on E3 is room.boardroom (_late)."""
        b = Builder(
            random.Random(self.seed * 73),
            self.domain,
            count=self._b.count,
            groups=self._b.groups,
            member_sets=self._b.member_sets,
        )
        for local, name, sku in (
            ("aa.main", "Main Auto Attendant", "PHONESYSTEM_VIRTUALUSER"),  # right: no finding
            ("cq.support", "Support Call Queue", "SPE_E3"),  # a paid suite where the free resource license serves
        ):
            resource = b.user(
                local, name=name, department=RESOURCE_DEPARTMENT, location="NL", enabled=False, last_seen_days=None
            )
            resource["mailboxSettings"] = None  # a resource account has no mailbox: Graph answers 404
            b.grant(resource, sku)
            yield resource
        rooms = b.user("mtr.oslo", name="Teams Room Oslo", department=None, location="DK", last_seen_days=120)
        rooms["mailboxSettings"] = {"userPurpose": "room"}
        b.grant(rooms, "Microsoft_Teams_Rooms_Pro")  # a Teams Rooms device in storage: not an inactive person
        yield rooms
        for local, name, live in (
            ("agent.helpdesk", "Helpdesk Agent", True),
            ("agent.retired", "Retired Agent", False),
        ):
            agent = b.user(local, name=name, department=None, location="NL", last_seen_days=None, created_days=200)
            agent["signInActivity"] = {
                "lastSignInDateTime": NEVER,
                "lastNonInteractiveSignInDateTime": NEVER,
                "lastSuccessfulSignInDateTime": NEVER,
            }
            b.grant(agent, "AGENT_365")  # agents have no interactive sign-in by design
            parent = b.guid()
            self._agents[AGENT_USERS].append({"id": agent["id"], "identityParentId": parent})
            if live:
                self._agents[AGENT_IDENTITIES].append({"id": parent, "displayName": name, "accountEnabled": True})
            yield agent

    def agents(self) -> dict[str, Any]:
        """The agentUsers and agentIdentities sections (auditor.data.agents), Graph's shapes."""
        if not self._done:
            raise RuntimeError("agents() needs every user generated first")
        return self._agents

    def _leavers(self) -> Iterator[dict[str, Any]]:
        """Leavers whose disable time grace_days counts from, from a random stream of their own: one
        with an employeeLeaveDateTime, one the directory audit shows disabled ("Update user" with
        AccountEnabled false, and "Disable account"), and one neither shows."""
        b = Builder(
            random.Random(self.seed * 71),
            self.domain,
            count=self._b.count,
            groups=self._b.groups,
            member_sets=self._b.member_sets,
        )
        dated = b.user(
            "leaver.dated", name="Leaver With Date", department="Sales", location="NL", enabled=False, last_seen_days=45
        )
        dated["employeeLeaveDateTime"] = b.when(40)
        b.grant(dated, "SPE_E3", via="All Office Staff")
        yield dated
        audited = b.user(
            "leaver.audited",
            name="Leaver In Audit",
            department="Finance",
            location="DK",
            enabled=False,
            last_seen_days=6,
        )
        b.grant(audited, "SPE_E3", via="All Office Staff")
        at = b.when(5)
        target = {"id": audited["id"], "type": "User", "userPrincipalName": audited["userPrincipalName"]}
        by = {"user": {"id": b.guid(), "userPrincipalName": f"admin@{self.domain}"}}
        for n, activity in enumerate((UPDATE, DISABLE)):
            modified = [{"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"}]
            self._audits.append(
                {
                    "id": f"Directory_{b.guid()}",
                    "activityDisplayName": activity,
                    "activityDateTime": at,
                    "result": "success",
                    "initiatedBy": by,
                    "targetResources": [{**target, "modifiedProperties": modified if n == 0 else []}],
                }
            )
        yield audited
        unknown = b.user(
            "leaver.unknown",
            name="Leaver Without Date",
            department="Legal",
            location="SE",
            enabled=False,
            last_seen_days=60,
        )
        b.grant(unknown, "SPE_E3", via="All Office Staff")
        yield unknown

    def directory_audits(self) -> dict[str, Any]:
        """The directoryAudits section: what a collection for grace_days reads (the last 30 days)."""
        if not self._done:
            raise RuntimeError("directory_audits() needs every user generated first")
        since = (REFERENCE - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"since": since, "until": REFERENCE.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": list(self._audits)}

    def _used(self) -> Iterator[dict[str, Any]]:
        """Cases of the usage rules, from a random stream of their own (earlier users stay as they were):
        Copilot used, idle, never used, newly assigned, and given by a group; mailbox report rows
        for the shared and room mailboxes."""
        b = Builder(
            random.Random(self.seed * 67),
            self.domain,
            count=self._b.count,
            groups=self._b.groups,
            member_sets=self._b.member_sets,
        )
        b.group("Copilot Pilot", ("Microsoft_365_Copilot",))

        def day(days_ago: int) -> str:
            return (REFERENCE - timedelta(days=days_ago)).strftime("%Y-%m-%d")

        def copilot(user: dict[str, Any], last: str | None, elsewhere: int | None = None) -> None:
            row = {
                "userPrincipalName": user["userPrincipalName"],
                "copilotLastActivityDate": last,
                # the v2 report's Copilot Chat (work) date: Chat is part of the seat's use
                "copilotChatWorkLastActivityDate": last,
                "reports": [COPILOT.name],
            }
            if elsewhere is not None:  # use only in the v2 report's other columns: Chat on the web, the app, Edge
                row[COPILOT_ACTIVITY] = {
                    "Copilot Chat (web) Last Activity Date": day(elsewhere),
                    "Microsoft 365 Copilot Last Activity Date": day(elsewhere),
                    "Edge Last Activity Date": day(elsewhere),
                    "Prompts submitted for all apps": 57,
                    "Active Usage Days for all apps": 21,
                }
            self._usage_rows.append(row)

        # Copilot Daily uses Copilot every day, on the web, in the Microsoft 365 Copilot app and in Edge:
        # the report's own Last Activity Date and Chat (work) stay blank, and the seat is not idle
        cases = (
            ("copilot.daily", "Copilot Daily", None, None, 4),
            ("copilot.idle", "Copilot Idle", None, 50, None),
            ("copilot.never", "Copilot Never", None, None, None),
            ("copilot.pilot", "Pilot Tester", "Copilot Pilot", 75, None),
        )
        for local, name, via, last, elsewhere in cases:
            u = b.user(local, name=name, department="Sales", location="NL")
            b.grant(u, "SPE_E3", via="All Office Staff")
            b.grant(u, "Microsoft_365_Copilot", via=via)  # idle, never, pilot: product-unused
            copilot(u, None if last is None else day(last), elsewhere)
            yield u
        fresh = b.user("copilot.fresh", name="Copilot Fresh", department="Legal", location="SE")
        b.grant(fresh, "SPE_E3", via="All Office Staff", updated_days=400)  # Graph dates every state, or none
        b.grant(fresh, "Microsoft_365_Copilot", updated_days=12)  # assigned 12 days ago: grace, not unused
        copilot(fresh, None)
        yield fresh
        legal = b.user(
            "legal.archive", name="Legal Archive", department=None, location="NL", enabled=False, last_seen_days=None
        )
        legal["mailboxSettings"] = {"userPurpose": "shared"}
        b.grant(legal, "SPE_E3", via="All Office Staff")  # a shared mailbox over 50 GB: it keeps its license
        yield legal
        # copilot-seat-idle: one of the population (an E3 holder) waits for a seat in "Copilot waiting
        # list" and receives Copilot Never's (held directly); Copilot Idle's and the pilot's seats have
        # nobody left to go to: they leave the bill. A member of the population, so no figure of the
        # demo's users and products moves.
        if not self._waiting:
            raise RuntimeError(f"the population has no user {WAITING} to wait for a Copilot seat")
        b.group("Copilot waiting list")
        b.join({"id": self._waiting}, "Copilot waiting list")
        for local, size, archive, items, files in STORAGE:
            self._usage_rows.append(
                {
                    "userPrincipalName": f"{local}@{self.domain}",
                    "storageUsedInBytes": size,
                    "hasArchive": archive,
                    "itemCount": items,
                    "oneDriveStorageUsedInBytes": files,
                    "reports": [MAILBOXES.name, ONEDRIVE.name],
                }
            )
        for upn, size, archive in (
            ("info.shared", 3_221_225_472, False),
            ("room.boardroom", 1_073_741_824, True),
            ("legal.archive", round(62 * GIB), False),
        ):
            # the room mailbox has an archive and the legal archive stores 62 GB: both keep their license
            self._usage_rows.append(
                {
                    "userPrincipalName": f"{upn}@{self.domain}",
                    "storageUsedInBytes": size,
                    "hasArchive": archive,
                    "reports": [MAILBOXES.name],
                }
            )

    def _late(self) -> Iterator[dict[str, Any]]:
        """Cases planted after the population, from a random stream of their own, so adding one
        leaves every earlier user, and the products drawn after the users, as they were."""
        b = Builder(
            random.Random(self.seed * 53),
            self.domain,
            count=self._b.count,
            groups=self._b.groups,
            member_sets=self._b.member_sets,
        )
        sprayed = b.user("dormant.sprayed", name="Dormant Sprayed", department="Sales", location="NL")
        sprayed["signInActivity"] = {  # failed attempts yesterday; the last success was 200 days ago
            "lastSignInDateTime": b.when(1),
            "lastNonInteractiveSignInDateTime": None,
            "lastSuccessfulSignInDateTime": b.when(200),
        }
        b.grant(sprayed, "SPE_E3", via="All Office Staff")  # inactive, with failed attempts since
        yield sprayed
        hire = b.user("fresh.hire", name="Fresh Hire", department="Support", location="DK", created_days=5)
        hire["signInActivity"] = {
            "lastSignInDateTime": NEVER,
            "lastNonInteractiveSignInDateTime": NEVER,
            "lastSuccessfulSignInDateTime": NEVER,
        }
        b.grant(hire, "SPE_E3", via="All Office Staff")  # 0001-01-01 is "never": a new account, not inactive
        yield hire
        returning = b.user(
            "returning.user",
            name="Returning User",
            department="Legal",
            location="SE",
            last_seen_days=None,
            created_days=700,
        )
        b.grant(returning, "SPE_E3", via="All Office Staff", updated_days=10)  # licensed 10 days ago: grace
        yield returning
        moved = b.user("moved.to.group", name="Moved To Group", department="Finance", location="NL")
        b.grant(moved, "SPE_E3", via="All Office Staff")
        b.grant(moved, "SPE_E3")  # the direct copy left behind by a move to groups: redundant, safe to remove
        yield moved
        mail = b.user("mail.plan1", name="Mail Plan One", department="Marketing", location="DK")
        b.grant(mail, "SPE_E3", via="All Office Staff")
        b.grant(mail, "EXCHANGESTANDARD")  # Exchange Online (Plan 1) beside E3's Plan 2: license-redundant
        yield mail
        # E3 from a group that switches its Exchange off, the mailbox on Exchange Online (Plan 1):
        # the smaller product adds the mailbox, so it is not redundant
        no_mail = b.group("Office Staff (no Exchange)", ("SPE_E3",))
        no_mail["assignedLicenses"][0]["disabledPlans"] = [EXCHANGE_PLAN_2]
        kept = b.user("mail.kept", name="Mail Kept", department="Support", location="SE")
        b.grant(kept, "SPE_E3", via="Office Staff (no Exchange)")
        kept["assignedLicenses"][0]["disabledPlans"] = [EXCHANGE_PLAN_2]
        kept["licenseAssignmentStates"][0]["disabledPlans"] = [EXCHANGE_PLAN_2]
        b.grant(kept, "EXCHANGESTANDARD")
        yield kept
        shared = b.user(
            "info.shared",
            name="Info Shared Mailbox",
            department=None,
            location="NL",
            enabled=False,
            last_seen_days=None,
        )
        shared["mailboxSettings"] = {"userPurpose": "shared"}
        b.grant(shared, "SPE_E3", via="All Office Staff")  # shared-mailbox-licensed, not disabled-user-licensed
        yield shared
        room = b.user(
            "room.boardroom", name="Boardroom", department=None, location="DK", last_seen_days=None, created_days=500
        )
        room["signInActivity"] = {
            "lastSignInDateTime": NEVER,
            "lastNonInteractiveSignInDateTime": NEVER,
            "lastSuccessfulSignInDateTime": NEVER,
        }
        room["mailboxSettings"] = {"userPurpose": "room"}
        b.grant(room, "SPE_E3", via="All Office Staff")  # shared-mailbox-licensed, not inactive-user-licensed
        yield room
        partly = b.user("partly.applied", name="Partly Applied", department="Sales", location="NL")
        # a service of the group's E3 conflicts with one the user has: E3 is active, not applied in full
        b.grant(partly, "SPE_E3", via="All Office Staff", error="MutuallyExclusiveViolation", partial=True)
        yield partly
        # a dynamic licensing group and one synced from on-premises Active Directory: no call changes
        # their members, so the licenses of leavers in them wait for the rule or the directory
        dynamic = b.group("Sales Analytics", ("POWER_BI_PRO",))
        dynamic |= {"groupTypes": ["DynamicMembership"], "membershipRule": '(user.department -eq "Sales")'}
        synced = b.group("SG-Visio-Users", ("VISIOCLIENT",))
        synced |= {"onPremisesSyncEnabled": True}
        seller = b.user(
            "sales.leaver", name="Sales Leaver", department="Sales", location="NL", enabled=False, last_seen_days=60
        )
        b.grant(seller, "POWER_BI_PRO", via="Sales Analytics")  # disabled-user-licensed, from the dynamic group
        yield seller
        drafter = b.user(
            "visio.leaver",
            name="Visio Leaver",
            department="Operations",
            location="DK",
            enabled=False,
            last_seen_days=90,
        )
        b.grant(drafter, "VISIOCLIENT", via="SG-Visio-Users")  # disabled-user-licensed, from the synced group
        yield drafter

    def _ids(self, part: str) -> Builder:
        """The random stream a product's ids come from (each group of products added later its own)."""
        if part in LATE_SKUS:
            return self._late_ids
        if part in USAGE_SKUS:
            return self._usage_ids
        return self._kind_ids if part in KIND_SKUS else self._b

    def skus(self) -> list[dict[str, Any]]:
        if not self._done:
            raise RuntimeError("skus() needs every user generated first")
        if self._skus is None:
            self._skus = []
            for part, sku_id in SKUS.items():
                ids = self._ids(part)
                used = self._consumed[sku_id]
                units = {"enabled": used + HEADROOM[part], "suspended": 0, "warning": 0, "lockedOut": 0}
                if part == IN_GRACE:
                    units["enabled"], units["warning"] = 0, used + HEADROOM[part]
                if part == SUSPENDED[0]:  # suspended seats are no longer enabled, or in grace
                    pool = "warning" if part == IN_GRACE else "enabled"
                    units["suspended"] = min(SUSPENDED[1], units[pool])
                    units[pool] -= units["suspended"]
                self._skus.append(
                    {
                        "id": f"{ids.guid()}_{sku_id}",
                        "skuId": sku_id,
                        "skuPartNumber": part,
                        "appliesTo": "User",
                        "capabilityStatus": "Warning" if part == IN_GRACE else "Enabled",
                        "consumedUnits": used,
                        "prepaidUnits": units,
                        "servicePlans": service_plans().get(part, [])
                        or [
                            {
                                "servicePlanId": pid,
                                "servicePlanName": pname,
                                "provisioningStatus": "Success",
                                "appliesTo": "User",
                            }
                            for pname, pid in (COPILOT_PLANS if part in USAGE_SKUS else ())
                        ],
                    }
                )
        return self._skus

    def subscriptions(self) -> list[dict[str, Any]]:
        skus = self.skus()
        subscriptions: list[dict[str, Any]] = []
        for n, (part, sku_id) in enumerate(SKUS.items()):
            ids = self._ids(part)
            units = next(s["prepaidUnits"] for s in skus if s["skuId"] == sku_id)
            trial = part == "PROJECTPROFESSIONAL"
            renews = REFERENCE + (timedelta(days=20) if trial else timedelta(days=120 + n * 17))
            status = "Enabled"
            if part == IN_GRACE:  # expired: nextLifecycleDateTime is the day it will be suspended
                status, renews = "Warning", REFERENCE + timedelta(days=25)
            sub_id = ids.guid()
            subscriptions.append(
                {
                    "id": sub_id,
                    "skuId": sku_id,
                    "skuPartNumber": part,
                    "status": status,
                    "isTrial": trial,
                    "totalLicenses": units["enabled"] + units["warning"],
                    "createdDateTime": ids.when(10 if trial else 700),
                    "nextLifecycleDateTime": renews.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "commerceSubscriptionId": commerce_id(sub_id),
                    **({"ownerTenantId": PARTNER_TENANT} if part == PARTNER_SKU else {}),
                }
            )
            if part == SPLIT[0]:  # its newest seats: a subscription of their own
                subscriptions[-1]["totalLicenses"] -= SPLIT[1]
                bought = REFERENCE - timedelta(days=SPLIT[2])
                new_id = str(uuid.uuid5(COMMERCE, sub_id + "/new"))
                subscriptions.append(
                    {
                        "id": new_id,
                        "skuId": sku_id,
                        "skuPartNumber": part,
                        "status": "Enabled",
                        "isTrial": False,
                        "totalLicenses": SPLIT[1],
                        "createdDateTime": bought.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "nextLifecycleDateTime": (bought + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "commerceSubscriptionId": commerce_id(new_id),
                    }
                )
        part = SUSPENDED[0]
        count = next(s["prepaidUnits"]["suspended"] for s in skus if s["skuId"] == SKUS[part])
        deleted = REFERENCE + timedelta(days=60)  # a suspended subscription's next state: deletion
        sub_id = self._b.guid()
        subscriptions.append(
            {
                "id": sub_id,
                "skuId": SKUS[part],
                "skuPartNumber": part,
                "status": "Suspended",
                "isTrial": False,
                "totalLicenses": count,
                "createdDateTime": self._b.when(400),
                "nextLifecycleDateTime": deleted.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "commerceSubscriptionId": commerce_id(sub_id),
            }
        )
        return subscriptions

    def groups(self) -> list[dict[str, Any]]:
        if not self._done:
            raise RuntimeError("groups() needs every user generated first")
        # the kind as the collector reads it (groupTypes, membershipRule, onPremisesSyncEnabled,
        # mailEnabled): cloud security groups with assigned members unless a case says otherwise
        kind: dict[str, Any] = {
            "groupTypes": [],
            "membershipRule": None,
            "onPremisesSyncEnabled": None,
            "mailEnabled": False,
        }
        out = [
            {**kind, **g, "hasMembersWithLicenseErrors": g.get("hasMembersWithLicenseErrors", False)}
            for g in self._b.groups.values()
        ]
        for g in out:
            # the direct members, as the collector reads them for the licensing group the example
            # policy selects by: every member but new.starter, who is in it through a nested group
            if g["displayName"] == "Frontline Workers":
                g["directMembers"] = [m for m in g["members"] if m != self._nested]
        return out


def generate_document(
    users: int = 240, seed: int = 7, tenant_name: str = "Contoso", domain: str = "contoso.example"
) -> dict[str, Any]:
    """A snapshot document (same shape as a snapshot file) for a tenant of about `users` users."""
    stream = TenantStream(users, seed, tenant_name, domain)
    all_users = list(stream.users())
    return {
        **stream.head(),
        "subscribedSkus": stream.skus(),
        "subscriptions": stream.subscriptions(),
        "groups": stream.groups(),
        USAGE_REPORTS: stream.usage_reports(),
        "directoryAudits": stream.directory_audits(),
        **stream.agents(),
        "users": all_users,
    }


def generate_tenant(users: int = 240, seed: int = 7, **kw: Any) -> TenantSnapshot:
    """The tenant as a snapshot; users are decoded as they are generated (a million fit in memory)."""
    stream = TenantStream(users, seed, **kw)
    decoder = UserDecoder(with_sign_in=True)
    decoded = decoder.values(stream.users())
    rest = {
        **stream.head(),
        "subscribedSkus": stream.skus(),
        "subscriptions": stream.subscriptions(),
        "groups": stream.groups(),
        USAGE_REPORTS: stream.usage_reports(),
        "directoryAudits": stream.directory_audits(),
        **stream.agents(),
        "users": [],
    }
    snapshot = snapshot_from_json(rest)
    return replace(snapshot, users=with_agents(decoded, snapshot.agents))
