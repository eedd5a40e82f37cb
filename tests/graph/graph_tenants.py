"""Deterministic generated tenants for the Graph collector and emulator tests."""

from __future__ import annotations

import random
import uuid

from auditor.data.model import (
    AssignedLicense,
    Cloud,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    ServicePlan,
    Sku,
    Subscription,
    TenantSnapshot,
    User,
)
from auditor.snapshot import LICENSE_ERROR_GROUPS, SIGN_IN_ACTIVITY

TENANT_ID = "6f1d3c2a-9b8e-4d7f-a1c2-3e4f5a6b7c8d"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
VISIO = "c5928f49-12ba-48f7-ada3-0d743a3601d5"
EXCHANGE_PLAN = "efb87545-963c-4e0d-99df-69c6916d9eb0"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_tenant(n_users: int = 250, *, seed: int = 7, with_sign_in: bool = True) -> TenantSnapshot:
    rng = random.Random(seed)
    skus = (
        Sku(
            f"{TENANT_ID}_{E3}",
            E3,
            "SPE_E3",
            "User",
            "Enabled",
            0,
            PrepaidUnits(n_users, 0, 0, 0),
            (ServicePlan(EXCHANGE_PLAN, "EXCHANGE_S_ENTERPRISE", "Success", "User"),),
        ),
        Sku(f"{TENANT_ID}_{E5}", E5, "SPE_E5", "User", "Enabled", 0, PrepaidUnits(50, 0, 5, 0)),
        Sku(f"{TENANT_ID}_{VISIO}", VISIO, "VISIOCLIENT", "User", "Suspended", 0, PrepaidUnits(0, 10, 0, 0)),
    )
    subs = (
        Subscription(
            _uuid(rng),
            E3,
            "SPE_E3",
            "Enabled",
            False,
            n_users,
            "2023-01-01T00:00:00Z",
            "2025-01-01T00:00:00Z",
            commerce_subscription_id="8f3c4b2a-commerce-e3",
            owner_id=_uuid(rng),
            owner_type="User",
        ),
        # bought by a partner: Graph names the partner tenant that created it
        Subscription(
            _uuid(rng),
            E5,
            "SPE_E5",
            "Warning",
            True,
            50,
            "2024-03-01T00:00:00Z",
            None,
            commerce_subscription_id="8f3c4b2a-commerce-e5",
            owner_tenant_id=_uuid(rng),
        ),
    )
    licensing_group = _uuid(rng)
    sales_group = _uuid(rng)
    users = []
    e3_group_members = []
    sales_members = []
    for i in range(n_users):
        uid = _uuid(rng)
        kind = rng.random()
        guest = kind < 0.05
        upn = f"user{i:06d}@contoso.example" if not guest else f"ext{i}_fabrikam.example#EXT#@contoso.example"
        licenses: tuple[AssignedLicense, ...] = ()
        states: tuple[LicenseAssignmentState, ...] = ()
        if kind > 0.2:
            if rng.random() < 0.5:
                licenses = (AssignedLicense(E3),)
                states = (LicenseAssignmentState(E3, licensing_group, "Active", "None"),)
                e3_group_members.append(uid)
            else:
                licenses = (AssignedLicense(E3, (EXCHANGE_PLAN,)),)
                states = (LicenseAssignmentState(E3, None, "Active", "None", (EXCHANGE_PLAN,)),)
            if rng.random() < 0.1:
                licenses += (AssignedLicense(E5),)
                states += (LicenseAssignmentState(E5, None, "ActiveWithError", "CountViolation"),)
        if rng.random() < 0.2:
            sales_members.append(uid)
        signed_in = with_sign_in and rng.random() < 0.8
        users.append(
            User.new(
                id=uid,
                user_principal_name=upn,
                display_name=f"User Ö'{i}" if i % 17 == 0 else f"User {i}",
                account_enabled=rng.random() > 0.1,
                user_type="Guest" if guest else "Member",
                department=rng.choice(["Sales", "Finance", None]),
                usage_location=rng.choice(["NL", "US", None]),
                assigned_licenses=licenses,
                license_assignment_states=states,
                created_date_time=f"202{rng.randint(0, 4)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T08:00:00Z",
                last_sign_in_date_time=f"2024-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}T10:00:00Z"
                if signed_in
                else None,
                last_non_interactive_sign_in_date_time=(
                    f"2024-1{rng.randint(0, 2)}-0{rng.randint(1, 9)}T10:00:00Z"
                    if signed_in and rng.random() < 0.5
                    else None
                ),
            )
        )
    groups = sorted(
        (
            Group(
                licensing_group,
                "License - Microsoft 365 E3",
                (AssignedLicense(E3),),
                tuple(sorted(e3_group_members)),
                has_members_with_license_errors=False,
                group_types=(),
                mail_enabled=False,
                direct_members=tuple(sorted(e3_group_members)),  # read when a policy names it
            ),
            Group(
                sales_group,
                "Sales Team",
                (),
                tuple(sorted(sales_members)),
                has_members_with_license_errors=False,
                group_types=(),
                mail_enabled=False,
            ),
        ),
        key=lambda g: g.id,
    )
    return TenantSnapshot(
        tenant_id=TENANT_ID,
        tenant_name="Contoso Test",
        cloud=Cloud.WORLDWIDE,
        collected_at="2024-12-01T00:00:00Z",
        skus=skus,
        subscriptions=subs,
        users=tuple(users),
        groups=tuple(groups),
        gaps=(),
        collected_datasets=frozenset(
            {SIGN_IN_ACTIVITY, LICENSE_ERROR_GROUPS} if with_sign_in else {LICENSE_ERROR_GROUPS}
        ),
    )
