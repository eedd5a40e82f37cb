"""Which service plan covers another: a higher plan of the same service includes a lower one.

`license-redundant` asks whether everything one product turns on for a user is already turned on
by another. Equal service plan ids settle most of it, but suites carry a *higher plan* of a service
where the standalone product carries a lower one: Exchange Online (Plan 1) in EXCHANGESTANDARD,
Exchange Online (Plan 2) in SPE_E3. `TIERS` below lists those plans, lowest first, one chain per
service; a plan covers itself and every plan before it in its chain. `PARTS` below lists the
plans that give a part of a service a full plan gives whole (Exchange Foundation, covered by every
Exchange Online mailbox plan). Nothing else covers anything.

Where the chains come from: Microsoft's table (product-names-and-service-plans.csv beside this
module) names tiers of a service "<service> (Plan 1)", "(Plan 2)", ... in
`Service_Plans_Included_Friendly_Names`, and some plans by a `_1`/`_P1`/`_PLAN1` suffix in
`Service_Plan_Name`. `families()` finds both kinds. A family ships in `TIERS` only when

- the higher plan is documented to include the lower (the service's description: "Plan 2 includes
  everything in Plan 1, plus ..."), or the plans are the same service tiered by suite, and
- no product in the table carries two plans of the family: a tier stands *in place of* the lower
  one. Where a product carries both (Microsoft 365 E5 carries Defender for Office 365 Plan 1 and
  Plan 2), the higher plan adds to the lower rather than replacing it, and the family is left out.

Every other family `families()` finds is in `LEFT_OUT` with the reason, so a refreshed table with a
new family fails tests/reference/test_coverage.py until someone decides about it. Being left out
only costs a missed saving; a wrong chain would propose removing a product that adds something.
Plans are matched by servicePlanId (a name may be spelled differently per cloud; an id is not).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import cache

# service -> its tiers, lowest first; a tier is the plans (servicePlanName, servicePlanId) Microsoft
# numbers alike. A plan covers itself and every plan of a lower tier, never a plan of its own tier.
Tier = tuple[tuple[str, str], ...]
TIERS: dict[str, tuple[Tier, ...]] = {
    # Exchange Online Plan 2 = Plan 1 + archiving without limit, DLP, hold (service description)
    "Exchange Online": (
        (("EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c"),),
        (("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0"),),
    ),
    # SharePoint Plan 2 = Plan 1 + eDiscovery, DLP, ...; the table calls both SHAREPOINTSTANDARD and
    # SHAREPOINTENTERPRISE_MIDMARKET (Office 365 Midsize Business) "SharePoint (Plan 1)"
    "SharePoint": (
        (
            ("SHAREPOINTSTANDARD", "c7699d2e-19aa-44de-8edf-1736da088ca1"),
            ("SHAREPOINTENTERPRISE_MIDMARKET", "6b5b6a67-fc72-4a1f-a2b5-beecf05de761"),
        ),
        (("SHAREPOINTENTERPRISE", "5dbe027f-2339-4123-9542-606e4d348a72"),),
    ),
    # Skype for Business Online Plan 2 = Plan 1 (IM, presence) + meetings. Its "Plan 3" (MCOVOICECONF)
    # is audio conferencing, an add-on: ENTERPRISEWITHSCAL carries it beside Plan 2 (LEFT_OUT).
    "Skype for Business Online": (
        (("MCOIMP", "afc06cb0-b4f4-4473-8286-d644f70d8faf"),),
        (("MCOSTANDARD", "0feaeb32-d00e-4d66-bd5a-43b5b83db82c"),),
    ),
    # To-Do and Whiteboard: one app, seeded per suite (Exchange Online and Business = 1,
    # Office 365 and Microsoft 365 E3 = 2, E5 = 3)
    "To-Do": (
        (("BPOS_S_TODO_1", "5e62787c-c316-451f-b873-1d05acd4d12c"),),
        (("BPOS_S_TODO_2", "c87f142c-d1e9-4363-8630-aaea9c4d9ae5"),),
        (("BPOS_S_TODO_3", "3fb82609-8c27-4f7b-bd51-30634711ee67"),),
    ),
    "Whiteboard": (
        (("WHITEBOARD_PLAN1", "b8afc642-032e-4de5-8c0a-507a7bba7e5d"),),
        (("WHITEBOARD_PLAN2", "94a54592-cd8b-425e-87c6-97868b000b91"),),
        (("WHITEBOARD_PLAN3", "4a51bca5-1eff-43f5-878c-177680f191af"),),
    ),
}

# families `families()` finds that are not chains, and why
LEFT_OUT: dict[str, str] = {
    "Microsoft Defender for Office 365": "E5 and A5 carry Plan 1 and Plan 2 together: Plan 2 adds to Plan 1",
    "Microsoft 365 Lighthouse": "Plan 1 is the customer side, Plan 2 the partner side; SPB carries both",
    "Microsoft Forms": "education tiers (A3: Plan 2, A5: Plan 3); the table does not say one includes the other",
    "School Data Sync": "education tiers; the table does not say Plan 2 includes Plan 1",
    "Skype for Business Online (Plan 3)": "MCOVOICECONF, audio conferencing: an add-on (ENTERPRISEWITHSCAL)",
    # name-suffix families: plans seeded per suite, named by number, not documented as cumulative
    "AAD_WRKLDID": "Workload ID P1/P2; Workload_Identities_Premium_CN carries both",
    "BI_AZURE": "Power BI P0..P3 are different products (Premium Per User carries P2 and P3)",
    "CDS_O365": "per-suite entitlements; not documented as cumulative",
    "CPC": "Windows 365 Cloud PC sizes, not tiers",
    "DYN365_CDS_O365": "per-suite entitlements; not documented as cumulative",
    "FLOW_O365": "per-suite entitlements; not documented as cumulative",
    "KAIZALA_O365": "per-suite entitlements; not documented as cumulative",
    "POWERAPPS_O365": "per-suite entitlements; not documented as cumulative",
    "POWER_VIRTUAL_AGENTS_O365": "per-suite entitlements (SPB carries P3 beside FLOW_O365_P1)",
    "PROJECT_O365": "Project for Office Plan E1/E3/E5, per suite; not documented as cumulative",
}


# Part plans: a plan that gives a part of a service, which a full plan of the service gives whole.
# Microsoft's table names them by the words in PART_WORDS; `parts()` finds every one, and each is
# either in PARTS (plan -> the full plans that cover it, and why) or in PARTS_LEFT_OUT (why not).
# Exchange Foundation is the example: EMS, Entra ID P1 and some 200 other products carry it so
# their services can keep data in Exchange Online without a mailbox; the products with a mailbox
# plan do not list it (Microsoft 365 E3 carries Exchange Online (Plan 2) instead), so without this
# EMS beside Microsoft 365 E3 looked like it added a service.
Part = tuple[str, str]  # (servicePlanName, servicePlanId)
PART_WORDS = re.compile(r"foundation|discovery|basic|essentials", re.IGNORECASE)
_EXO_MAILBOXES = (
    ("EXCHANGE_S_DESKLESS", "4a82b400-a79f-41a4-b4e2-e94f5787b113"),
    ("EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c"),
    ("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0"),
)
_EXO_GOV_MAILBOXES = (
    ("EXCHANGE_S_DESKLESS_GOV", "88f4d7ef-a73b-4246-8047-516022144c9f"),
    ("EXCHANGE_S_STANDARD_GOV", "e9b4930a-925f-45e2-ac2a-3f7788ca6fdd"),
    ("EXCHANGE_S_ENTERPRISE_GOV", "8c3069c0-ccdb-44be-ab77-986203a67df2"),
)
PARTS: dict[Part, tuple[tuple[Part, ...], str]] = {
    ("EXCHANGE_S_FOUNDATION", "113feb6c-3fe4-4440-bddc-54d774bf0318"): (
        _EXO_MAILBOXES,
        "the Exchange Online presence other services keep data in, without a mailbox; a "
        "mailbox plan (Kiosk, Plan 1, Plan 2) provisions all of it and a mailbox besides",
    ),
    ("EXCHANGE_S_FOUNDATION_GOV", "922ba911-5694-4e99-a794-73aed9bfeec8"): (
        _EXO_GOV_MAILBOXES,
        "the same for the government clouds, covered by their mailbox plans",
    ),
    ("ADALLOM_S_DISCOVERY", "932ad362-64a8-4783-9106-97849a1a30b9"): (
        (("ADALLOM_S_STANDALONE", "2e2ddb96-6af9-4b1d-a3f0-d6ecfd22edb2"),),
        "Cloud App Discovery is the discovery part of Microsoft Defender for Cloud Apps (EMS E3 carries the "
        "part, EMS E5 and Microsoft 365 E5 the whole)",
    ),
}
PARTS_LEFT_OUT: dict[str, str] = {
    "EXCHANGE_FOUNDATION_GOV": "the table's other spelling of EXCHANGE_S_FOUNDATION_GOV (same id, in PARTS)",
    "EXCHANGE_S_FOUNDATION PBI_PREMIUM_EM1_ADDON": "a table row that joins two plan names; its ids are "
    "Exchange Foundation (in PARTS) and Power BI Premium EM1",
    "PEOPLE_SKILLS_FOUNDATION": "no other People Skills plan in the table: nothing covers it",
    "AAD_BASIC": "Entra ID Basic: the table does not say Entra ID P1 carries it in its place",
    "AAD_BASIC_EDU": "Entra ID Basic for education: as AAD_BASIC",
    "ONEDRIVE_BASIC": "OneDrive for Business (Basic) in Visio and Project; no SharePoint plan is documented to "
    "give the same storage",
    "ONEDRIVE_BASIC_GOV": "as ONEDRIVE_BASIC, government",
    "ONEDRIVE_BASIC_P2": "as ONEDRIVE_BASIC",
    "RMS_S_BASIC": "Azure Rights Management: the table does not say RMS_S_ENTERPRISE stands in its place",
    "YAMMER_BASIC": "Yammer (Viva Engage) for products without YAMMER_ENTERPRISE; not documented as a part of it",
    "MCOBASIC": "Skype Meetings: a retired service, no full plan named",
    "MCOMEETBASIC": "audio conferencing with dial-out to some geographies: an add-on, not a part",
    "MCOMEETBASIC_GOV": "as MCOMEETBASIC, government",
    "CRMPLAN2": "Dynamics CRM Online Basic: a Dynamics product of its own",
    "CRMPLAN2_GCC": "as CRMPLAN2, government",
    "DYN365_BUSCENTRAL_ESSENTIALS_ATTACH": "Dynamics 365 Business Central: a product of its own",
    "DYN365_FINANCIALS_BUSINESS": "Dynamics 365 Business Central Essentials: a product of its own",
    "EDISCOVERY_FOR_AGENTS": "eDiscovery for agents: a different audience, not a part of eDiscovery (Premium)",
    "EQUIVIO_ANALYTICS": "eDiscovery (Premium) itself: a full plan",
    "EQUIVIO_ANALYTICS_GOV": "as EQUIVIO_ANALYTICS, government",
    "EXCHANGE_S_ESSENTIALS": "Exchange Online Essentials: a mailbox plan of its own, not documented as a part",
    "FLOW_DYN_APPS": "Power Automate for Dynamics 365 (the table calls it Project Online Essentials)",
    "PROJECT_ESSENTIALS": "Project Online Essentials: a product of its own",
    "PROJECT_ESSENTIALS_GOV": "as PROJECT_ESSENTIALS, government",
    "PURVIEW_DISCOVERY": "Purview Discovery: not documented as a part of another plan",
    "POWERVIDEOSFREE": "Power Videos Basic: a retired service",
    "TeamsEss": "Teams Essentials: a product of its own",
    "Teams_Room_Basic": "a test plan of Teams Rooms",
    "Teams_Rooms_Basic": "Teams Rooms Basic: a product of its own, not a part of Teams Rooms Pro",
}


def parts(lines: Iterable[str]) -> set[Part]:
    """Every plan of Microsoft's table (its CSV lines) whose name or friendly name has a word of PART_WORDS."""
    out: set[Part] = set()
    for row in csv.DictReader(lines):
        name = (row.get("Service_Plan_Name") or "").strip()
        friendly = (row.get("Service_Plans_Included_Friendly_Names") or "").strip()
        if PART_WORDS.search(name) or PART_WORDS.search(friendly):
            out.add((name, (row.get("Service_Plan_Id") or "").strip().lower()))
    return out


@cache
def _lower() -> dict[str, frozenset[str]]:
    """servicePlanId (lower-case) -> the plan ids it covers: itself, the lower plans of its chain
    and the part plans it gives whole."""
    out: dict[str, set[str]] = {}
    for tiers in TIERS.values():
        below: set[str] = set()
        for tier in tiers:
            ids = {plan_id.lower() for _, plan_id in tier}
            for plan_id in ids:
                out[plan_id] = below | {plan_id}
            below |= ids
    for (_, part_id), (fulls, _why) in PARTS.items():
        for _, full_id in fulls:
            out.setdefault(full_id.lower(), {full_id.lower()}).add(part_id.lower())
    return {plan_id: frozenset(ids) for plan_id, ids in out.items()}


def covered(plan_ids: Iterable[str]) -> frozenset[str]:
    """Every plan id (lower-case) that `plan_ids` turn on or cover."""
    lower = _lower()
    out: set[str] = set()
    for plan_id in plan_ids:
        key = plan_id.lower()
        out.update(lower.get(key, (key,)))
    return frozenset(out)


_PLAN_N = re.compile(r"^(?P<service>.+?)\s*\(plan (?P<n>\d)\)$", re.IGNORECASE)
_SUFFIX_N = re.compile(r"^(?P<service>.+?)(?:_PLAN_?|_P|PLAN|_)(?P<n>\d)$")


def families(lines: Iterable[str]) -> dict[str, dict[int, set[tuple[str, str]]]]:
    """Families of numbered plans in Microsoft's table (its CSV lines): by friendly name
    "<service> (Plan N)" and by servicePlanName suffix `_N`, `_PN`, `_PLAN_N`, `PLANN`. Family ->
    N -> {(servicePlanName, servicePlanId)}; only families with two or more numbers."""
    found: dict[str, dict[int, set[tuple[str, str]]]] = {}
    for row in csv.DictReader(lines):
        name = (row.get("Service_Plan_Name") or "").strip()
        plan_id = (row.get("Service_Plan_Id") or "").strip().lower()
        friendly = (row.get("Service_Plans_Included_Friendly_Names") or "").strip()
        for pattern, text, title in ((_PLAN_N, friendly, True), (_SUFFIX_N, name, False)):
            match = pattern.match(text)
            if match and plan_id:
                service = match["service"]
                service = _FRIENDLY.get(service.lower(), service) if title else service
                found.setdefault(service, {}).setdefault(int(match["n"]), set()).add((name, plan_id))
    numbered = {family: tiers for family, tiers in found.items() if len(tiers) > 1}
    # a family found both ways (BPOS_S_TODO_2 is "To-Do (Plan 2)") goes by its friendly name
    titled = {
        frozenset(p for plans in tiers.values() for p in plans)
        for family, tiers in numbered.items()
        if family in _FRIENDLY.values()
    }
    return {
        family: tiers
        for family, tiers in numbered.items()
        if family in _FRIENDLY.values() or frozenset(p for plans in tiers.values() for p in plans) not in titled
    }


# friendly names come in several spellings ("EXCHANGE ONLINE (PLAN 2)"): one name per service
_FRIENDLY = {name.lower(): name for name in (*TIERS, *LEFT_OUT)}
