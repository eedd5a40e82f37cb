"""The benchmark's policy sets: the shipped example, and 50 assignment entries for evaluation alone."""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contoso-policy.yaml"


def without_inactivity(folder: Path) -> Path:
    """The example policy without its inactivity check (nor the resource-account rule, which judges by
    sign-ins too), written into `folder`: no sign-in listing, whose
    10 requests a minute (Graph's "GET signInActivity" limit) take 19 minutes at 100,000 users and are
    the first night's floor (benchmarks.nightly), so that an audit measures its own work against the
    pages' floor (benchmarks.run --without-inactivity; tests/graph/test_benchmark_emulator.py)."""
    from auditor.policyset.load import load_policies
    from auditor.rules.requests import requests_of

    example = EXAMPLE.read_text("utf-8")
    quiet = folder / "example-without-inactivity.yaml"
    text = example.replace(example[example.index("  inactive_users:") : example.index("  guest_users:")], "")
    # the resource-account rule judges by sign-ins too (a resource account that signs in is a person's)
    lines = text.splitlines(keepends=True)
    quiet.write_text("".join(line for line in lines if not line.startswith("  resource_accounts:")), "utf-8")
    if requests_of(load_policies([quiet])).sign_in:  # a rule added since that reads them: say so, not 19 minutes
        raise SystemExit(f"{quiet}: a rule of the example policy still reads the sign-in activity")
    return quiet


_DEPARTMENTS = ["Finance", "Sales", "Engineering", "Marketing", "Support", "Legal", "HR"]
_LOCATIONS = ["NL", "DK", "SE", "TR", "DE"]
_ALL_PRODUCTS = "[SPE_E3, SPE_E5, POWER_BI_PRO, EMS, FLOW_FREE, VISIOCLIENT, SPE_F1]"


def _entries(i: int) -> str:
    """Ten kinds of entry, five variants each (different selectors), 50 in all."""
    dept = _DEPARTMENTS[i % len(_DEPARTMENTS)]
    loc = _LOCATIONS[i % len(_LOCATIONS)]
    return f"""\
  - name: frontline-{i}
    match: {{groups: ["Frontline Workers"]}}
    allowed: [SPE_F1, FLOW_FREE]
    required_any: [SPE_F1]
  - name: contractors-{i}
    match: {{upn: ["*@contractors.contoso.example"]}}
    forbidden: [SPE_E5, VISIOCLIENT]
  - name: department-{i}
    match: {{departments: [{dept}]}}
    allowed: {_ALL_PRODUCTS}
  - name: location-{i}
    match: {{usage_locations: [{loc}]}}
    forbidden: [PROJECTPROFESSIONAL]
  - name: everyone-{i}
    match: {{all: true}}
    except: {{groups: ["Break Glass Accounts"]}}
    exclusive: [[SPE_E3, SPE_E5]]
    group_based_only: [SPE_E3]
  - name: guests-{i}
    match: {{user_types: [Guest]}}
    allowed: [POWER_BI_PRO]
  - name: executives-{i}
    match: {{groups: [Executives]}}
    required_any: [SPE_E5]
  - name: analysts-{i}
    match: {{groups: ["Power BI Users"]}}
    required_any: [POWER_BI_PRO]
  - name: staff-{i}
    match: {{upn: ["user0*@contoso.example", "user1*@contoso.example"]}}
    forbidden: [SPE_F1]
  - name: regional-{i}
    match: {{departments: [{dept}], usage_locations: [{loc}]}}
    exclusive: [[EMS, SPE_E5]]
"""


def fifty_assignments() -> str:
    """A policy with 50 assignment entries, the catalog and every hygiene check of the example."""
    return (
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata:\n  name: benchmark-50\n"
        "catalog:\n  - sku: SPE_E3\n    spare_seats: {max: 10, max_percent: 5, min: 2}\n"
        "    price: {monthly: 33.75, currency: EUR}\n  - sku: SPE_E5\n    price: {monthly: 54.75, currency: EUR}\n"
        "  - sku: FLOW_FREE\n    free: true\n"
        "assignments:\n"
        + "".join(_entries(i) for i in range(5))
        + "hygiene:\n  disabled_users: {}\n  inactive_users: {days: 90}\n  guest_users: {}\n"
        "  assignment_errors: {}\n  usage_location: {}\n  expiring_subscriptions: {days: 30}\n"
    )
