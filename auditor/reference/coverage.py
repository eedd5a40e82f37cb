"""Which service plan covers another: a higher plan of the same service includes a lower one.

`license-redundant` asks whether everything one product turns on for a user is already turned on
by another. Equal service plan ids settle most of it, but suites carry a *higher plan* of a service
where the standalone product carries a lower one: Exchange Online (Plan 1) in EXCHANGESTANDARD,
Exchange Online (Plan 2) in SPE_E3. `TIERS` below lists those plans, lowest first, one chain per
service; a plan covers itself and every plan before it in its chain. Nothing else covers anything.

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
    "Exchange Online": ((("EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c"),),
                        (("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0"),)),
    # SharePoint Plan 2 = Plan 1 + eDiscovery, DLP, ...; the table calls both SHAREPOINTSTANDARD and
    # SHAREPOINTENTERPRISE_MIDMARKET (Office 365 Midsize Business) "SharePoint (Plan 1)"
    "SharePoint": ((("SHAREPOINTSTANDARD", "c7699d2e-19aa-44de-8edf-1736da088ca1"),
                    ("SHAREPOINTENTERPRISE_MIDMARKET", "6b5b6a67-fc72-4a1f-a2b5-beecf05de761")),
                   (("SHAREPOINTENTERPRISE", "5dbe027f-2339-4123-9542-606e4d348a72"),)),
    # Skype for Business Online Plan 2 = Plan 1 (IM, presence) + meetings. Its "Plan 3" (MCOVOICECONF)
    # is audio conferencing, an add-on: ENTERPRISEWITHSCAL carries it beside Plan 2 (LEFT_OUT).
    "Skype for Business Online": ((("MCOIMP", "afc06cb0-b4f4-4473-8286-d644f70d8faf"),),
                                  (("MCOSTANDARD", "0feaeb32-d00e-4d66-bd5a-43b5b83db82c"),)),
    # To-Do and Whiteboard: one app, seeded per suite (Exchange Online and Business = 1,
    # Office 365 and Microsoft 365 E3 = 2, E5 = 3)
    "To-Do": ((("BPOS_S_TODO_1", "5e62787c-c316-451f-b873-1d05acd4d12c"),),
              (("BPOS_S_TODO_2", "c87f142c-d1e9-4363-8630-aaea9c4d9ae5"),),
              (("BPOS_S_TODO_3", "3fb82609-8c27-4f7b-bd51-30634711ee67"),)),
    "Whiteboard": ((("WHITEBOARD_PLAN1", "b8afc642-032e-4de5-8c0a-507a7bba7e5d"),),
                   (("WHITEBOARD_PLAN2", "94a54592-cd8b-425e-87c6-97868b000b91"),),
                   (("WHITEBOARD_PLAN3", "4a51bca5-1eff-43f5-878c-177680f191af"),)),
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


@cache
def _lower() -> dict[str, frozenset[str]]:
    """servicePlanId (lower-case) -> the plan ids it covers: itself and the lower plans of its chain."""
    out: dict[str, frozenset[str]] = {}
    for tiers in TIERS.values():
        below: set[str] = set()
        for tier in tiers:
            ids = {plan_id.lower() for _, plan_id in tier}
            for plan_id in ids:
                out[plan_id] = frozenset(below | {plan_id})
            below |= ids
    return out


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
    titled = {frozenset(p for plans in tiers.values() for p in plans)
              for family, tiers in numbered.items() if family in _FRIENDLY.values()}
    return {family: tiers for family, tiers in numbered.items()
            if family in _FRIENDLY.values() or frozenset(p for plans in tiers.values() for p in plans) not in titled}


# friendly names come in several spellings ("EXCHANGE ONLINE (PLAN 2)"): one name per service
_FRIENDLY = {name.lower(): name for name in (*TIERS, *LEFT_OUT)}
