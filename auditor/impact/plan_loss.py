"""What a removal would cost a user: the service plans it would switch off, and above all the
data those plans hold (a mailbox, OneDrive files).

Every removal the auditor proposes goes through `ServicePlanLoss.of`. A plan is lost when the removed
products turn it on for the user (their service plans minus the assignment's disabledPlans) and
nothing the user keeps, or is given in the same call, turns it on too. Data is lost when a kind of
data (mailbox, archive, files) has a plan among the lost ones and none among the kept ones: moving
from Exchange Online (Plan 2) to (Plan 1) keeps the mailbox.

A product's plans come from the tenant's subscribedSkus; a snapshot without them falls back to
Microsoft's product table (auditor.reference), and a product neither knows loses nothing we can
name (the steps still tell the admin to keep the data first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from auditor.data.model import User
from auditor.policy.index import TenantIndex

from ..reference import product_names
from ..reference.coverage import covered

# Service plans (servicePlanName) that hold a user's data, by kind. Exchange Foundation, Office for
# the web (SHAREPOINTWAC), Project's SharePoint part and tenant storage add-ons hold none.
DATA_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mailbox", re.compile(r"EXCHANGE_(S_(STANDARD|ENTERPRISE|DESKLESS|ESSENTIALS)|L_STANDARD|B_STANDARD)")),
    # Exchange Online (Plan 1) includes an archive mailbox too; Kiosk (DESKLESS) does not
    ("archive", re.compile(r"EXCHANGE_S_(ARCHIVE|ENTERPRISE|STANDARD)")),
    # Microsoft's table names one GCC plan by its friendly name ("SharePoint Plan 1G")
    (
        "files",
        re.compile(
            r"SHAREPOINT(STANDARD|ENTERPRISE|DESKLESS|LITE|_S_DEVELOPER| PLAN \d)|ONEDRIVE(_BASIC|"
            r"STANDARD|ENTERPRISE|LITE)"
        ),
    ),
)


def data_kinds(plan_name: str) -> set[str]:
    """The kinds of user data a service plan holds (empty for most plans)."""
    return {kind for kind, pattern in DATA_KINDS if pattern.match(plan_name.upper())}


class ServicePlanLoss:
    """Plan-loss checks over one tenant (cached per license layout: users with the same licenses
    share one `assigned_licenses` tuple)."""

    def __init__(self, index: TenantIndex) -> None:
        self.index = index
        self._plans: dict[str, tuple[tuple[str, str], ...]] = {}
        self._cache: dict[tuple[Any, frozenset[str], frozenset[str], frozenset[str]], dict[str, list[str]]] = {}

    def service_plans(self, sku_id: str) -> tuple[tuple[str, str], ...]:
        """(servicePlanId lower-case, servicePlanName) of a product's user plans."""
        found = self._plans.get(sku_id)
        if found is None:
            sku = self.index.sku_by_id.get(sku_id)
            if sku is not None and sku.service_plans:
                found = tuple(
                    (p.service_plan_id.lower(), p.service_plan_name)
                    for p in sku.service_plans
                    if p.applies_to.lower() != "company"
                )
            else:
                found = product_names().plans_of(sku_id)
            self._plans[sku_id] = found
        return found

    def enabled(self, user: User, sku_id: str) -> tuple[tuple[str, str], ...]:
        """The plans of `sku_id` that are on for `user` (not in the assignment's disabledPlans)."""
        off = {p.lower() for lic in user.assigned_licenses if lic.sku_id.lower() == sku_id for p in lic.disabled_plans}
        return tuple(p for p in self.service_plans(sku_id) if p[0] not in off)

    def of(
        self, user: User, removed: Iterable[str], added: Iterable[str] = (), absent: frozenset[str] = frozenset()
    ) -> dict[str, list[str]]:
        """Per removed product (part number): the friendly names of the data-holding plans whose
        data the user would lose. Empty when the removal keeps every kind of data. `absent`: kinds
        of data the tenant shows the user has none of (no archive mailbox): nothing of them is lost."""
        gone, new = frozenset(removed), frozenset(added)
        key = (user.assigned_licenses, gone, new, absent)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        kept_kinds: set[str] = set(absent)
        for sid in user.sku_ids - gone:
            for _, name in self.enabled(user, sid):
                kept_kinds |= data_kinds(name)
        for sid in new:
            for _, name in self.service_plans(sid):
                kept_kinds |= data_kinds(name)
        out: dict[str, list[str]] = {}
        for sid in sorted(gone & user.sku_ids, key=self.index.part):
            names = sorted(
                {self.name(pid, name) for pid, name in self.enabled(user, sid) if data_kinds(name) - kept_kinds}
            )
            if names:
                out[self.index.part(sid)] = names
        self._cache[key] = out
        return out

    def of_leaving(
        self, user: User, group_ids: Iterable[str], added: Iterable[str] = (), absent: frozenset[str] = frozenset()
    ) -> dict[str, list[str]]:
        """`of` for leaving the groups `group_ids`: every product they give the user that no direct
        copy or other group also gives goes, and `added` (if any) is given in its place."""
        return self.of(user, self.taken_by_leaving(user, group_ids), added, absent)

    @staticmethod
    def taken_by_leaving(user: User, group_ids: Iterable[str]) -> set[str]:
        """The products (ids) leaving the groups `group_ids` takes: those they give the user that no
        direct copy or other group also gives."""
        gids = {g.lower() for g in group_ids}
        states = user.license_assignment_states
        given = {s.sku_id.lower() for s in states if (s.assigned_by_group or "").lower() in gids}
        kept = {s.sku_id.lower() for s in states if (s.assigned_by_group or "").lower() not in gids}
        return given - kept

    def enabled_ids(self, user: User, sku_ids: Iterable[str]) -> set[str]:
        """The ids of the service plans that `sku_ids` turn on for `user`."""
        return {pid for sid in sku_ids for pid, _ in self.enabled(user, sid)}

    def held_kinds(self, user: User) -> dict[str, list[str]]:
        """Per product the user holds (part number): the kinds of data its plans that are on for the
        user hold; products that hold none are left out. A plan can tell from these alone whether
        the removals of several findings together would end a kind of data none ends alone."""
        out: dict[str, list[str]] = {}
        for sid in sorted(user.sku_ids, key=self.index.part):
            kinds = {kind for _, name in self.enabled(user, sid) for kind in data_kinds(name)}
            if kinds:
                out[self.index.part(sid)] = sorted(kinds)
        return out

    def unknown(self, user: User, removed: Iterable[str]) -> list[str]:
        """Part numbers of the removed products whose service plans neither the tenant nor
        Microsoft's table lists: what removing them costs cannot be told."""
        return sorted(self.index.part(sid) for sid in set(removed) & user.sku_ids if not self.service_plans(sid))

    def switched_off(self, user: User, removed: Iterable[str]) -> set[str]:
        """The plan ids the removal of `removed` would switch off: on in them, and neither on nor
        covered by a higher plan of the same service (reference/coverage.py) in the rest."""
        gone = frozenset(removed)
        kept = covered(pid for sid in user.sku_ids - gone for pid, _ in self.enabled(user, sid))
        return {pid for sid in gone & user.sku_ids for pid, _ in self.enabled(user, sid)} - kept

    @staticmethod
    def name(plan_id: str, plan_name: str) -> str:
        return product_names().plan(plan_id=plan_id) or product_names().plan(plan_name=plan_name) or plan_name
