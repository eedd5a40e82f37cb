"""The pieces the sample tenant is built from: Microsoft's product ids, people's names, and a
builder that writes users, groups and license assignments as Graph returns them."""

from __future__ import annotations

import csv
import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

from auditor.reference import DATA_FILE

from . import REFERENCE

# skuPartNumber -> (skuId, enabled-seat headroom over consumption); real Microsoft skuIds.
SKUS: dict[str, str] = {
    "SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965",
    "SPE_E5": "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
    "SPE_F1": "66b55226-6b4f-492c-910c-a3b7a3c9d993",
    "FLOW_FREE": "f30db892-07e9-47e9-837c-80727f46fd3d",
    "POWER_BI_PRO": "f8a1db68-be16-40ed-86d5-cb42ce701560",
    "EMS": "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
    "VISIOCLIENT": "c5928f49-12ba-48f7-ada3-0d743a3601d5",
    "PROJECTPROFESSIONAL": "53818b1b-4a27-454b-8896-0dba576410e6",
    "EXCHANGESTANDARD": "4b9405b0-7788-4568-add1-99614e613b69",
    "Microsoft_365_Copilot": "639dec6b-bb19-468b-871c-c5c441c4b0cb",
    "PHONESYSTEM_VIRTUALUSER": "440eaaa8-b3e0-484b-a8be-62870b9ba70a",  # Microsoft Teams Phone Resource Account
    "Microsoft_Teams_Rooms_Pro": "4cde982a-ede4-4409-9ae6-b003453c8ea6",
    "AGENT_365": "796a6fb4-740b-4d36-bf56-9c12ca7fa069",  # Agent 365: sold per agent user
}
FIRST = [
    "Ada",
    "Bram",
    "Chloé",
    "Dilan",
    "Emma",
    "Finn",
    "Göran",
    "Hanne",
    "Ilse",
    "Jens",
    "Kerem",
    "Lotte",
    "Mats",
    "Noor",
    "Oskar",
    "Pınar",
    "Quinn",
    "Rasmus",
    "Sanne",
    "Tove",
    "Umut",
    "Vera",
    "Wout",
    "Yusuf",
    "Zeynep",
]
LAST = [
    "Jansen",
    "de Vries",
    "Nielsen",
    "Hansen",
    "Andersson",
    "Johansson",
    "Yılmaz",
    "Kaya",
    "Bakker",
    "Larsen",
    "Lindqvist",
    "Demir",
    "Visser",
    "Pedersen",
    "Berg",
    "Şahin",
]
NEVER = "0001-01-01T00:00:00Z"  # how signInActivity says "never"
DEPARTMENTS = ["Finance", "Sales", "Engineering", "Marketing", "Support", "Legal", "HR"]
LOCATIONS = ["NL", "DK", "SE", "TR", "DE"]


@dataclass
class Builder:
    rng: random.Random
    domain: str
    count: int = 0
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    member_sets: dict[str, set[str]] = field(default_factory=dict)

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def when(self, days_ago: float) -> str:
        return (REFERENCE - timedelta(days=days_ago, seconds=self.rng.randrange(86400))).strftime("%Y-%m-%dT%H:%M:%SZ")

    def group(self, name: str, licenses: tuple[str, ...] = ()) -> dict[str, Any]:
        if name not in self.groups:
            self.groups[name] = {
                "id": self.guid(),
                "displayName": name,
                "assignedLicenses": [{"disabledPlans": [], "skuId": SKUS[s]} for s in licenses],
                "members": [],
            }
            self.member_sets[name] = set()
        return self.groups[name]

    def user(
        self,
        local: str,
        *,
        domain: str | None = None,
        guest: bool = False,
        enabled: bool = True,
        location: str | None = "",
        department: str | None = "",
        last_seen_days: float | None = 5,
        created_days: float = 800,
        name: str | None = None,
    ) -> dict[str, Any]:
        n = self.count
        self.count += 1
        display = name or f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
        upn = f"{local}@{domain or self.domain}"
        if guest:
            upn = f"{local.replace('@', '_')}#EXT#@{self.domain}"
        return {
            "id": self.guid(),
            "userPrincipalName": upn,
            "displayName": display,
            "accountEnabled": enabled,
            "userType": "Guest" if guest else "Member",
            "department": self.rng.choice(DEPARTMENTS) if department == "" else department,
            "usageLocation": self.rng.choice(LOCATIONS) if location == "" else location,
            "createdDateTime": self.when(created_days),
            "assignedLicenses": [],
            "licenseAssignmentStates": [],
            "signInActivity": None
            if last_seen_days is None
            else {
                "lastSignInDateTime": self.when(last_seen_days),
                "lastNonInteractiveSignInDateTime": self.when(max(last_seen_days - 2, 0)),
            },
        }

    def grant(
        self,
        user: dict[str, Any],
        sku: str,
        via: str | None = None,
        error: str = "None",
        updated_days: float | None = None,
        partial: bool = False,
    ) -> None:
        """`error` other than "None" fails the assignment (state Error); with `partial` the license
        is active all the same, but not applied in full (state ActiveWithError)."""
        sku_id = SKUS[sku]
        group_id = None
        if via is not None:
            group_id = self.groups[via]["id"]
            self.join(user, via)
            if error != "None":  # Graph's hasMembersWithLicenseErrors
                self.groups[via]["hasMembersWithLicenseErrors"] = True
        active = error == "None" or partial
        if all(lic["skuId"] != sku_id for lic in user["assignedLicenses"]) and active:
            user["assignedLicenses"].append({"disabledPlans": [], "skuId": sku_id})
        kind = "Active" if error == "None" else "ActiveWithError" if partial else "Error"
        state: dict[str, Any] = {
            "skuId": sku_id,
            "assignedByGroup": group_id,
            "state": kind,
            "error": error,
            "disabledPlans": [],
        }
        if updated_days is not None:
            state["lastUpdatedDateTime"] = self.when(updated_days)
        user["licenseAssignmentStates"].append(state)

    def join(self, user: dict[str, Any], group: str) -> None:
        if user["id"] not in self.member_sets[group]:
            self.member_sets[group].add(user["id"])
            self.groups[group]["members"].append(user["id"])


@cache
def service_plans() -> dict[str, list[dict[str, str]]]:
    """skuPartNumber -> its servicePlans as Graph lists them, from Microsoft's product-names table
    (auditor/reference): every plan provisioned, applying to users."""
    text = resources.files("auditor.reference").joinpath(DATA_FILE).read_text("utf-8-sig")
    plans: dict[str, dict[str, dict[str, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        part, plan_id = row["String_Id"].strip(), row["Service_Plan_Id"].strip()
        if part in SKUS:
            plans.setdefault(part, {})[plan_id] = {
                "servicePlanId": plan_id,
                "servicePlanName": row["Service_Plan_Name"].strip(),
                "provisioningStatus": "Success",
                "appliesTo": "User",
            }
    return {part: sorted(found.values(), key=lambda p: p["servicePlanName"]) for part, found in plans.items()}
