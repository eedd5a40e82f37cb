"""Identity matching, the paid/free decision, and the `cross_tenant:` policy section."""

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from auditor.cli import main
from auditor.cross_tenant.identity import IdentityMap, PaidProducts
from auditor.cross_tenant.inputs import IdentityIndex
from auditor.cross_tenant.rules import MERGE_RULES, CrossTenantDuplicate, CrossTenantDuplicateDetails
from auditor.data.enums import Severity, SubjectType
from auditor.data.finding import Subject, make
from auditor.merge.run import _covers
from auditor.policy.objects import CrossTenant, Waiver
from auditor.policyset.load import load_policies
from auditor.policyset.schema import build_schema
from auditor.snapshot import snapshot_from_json

from .tenants import policy_file, small_tenant

MAPPED = CrossTenant(
    domain_map=(("fabrikam.example", "contoso.example"),),
    aliases=(("a.smith@fabrikam.example", "alice@contoso.example"),),
)


@pytest.mark.parametrize(
    ("upn", "key"),
    [
        ("Alice@Fabrikam.Example", "alice@contoso.example"),  # domain map, case-insensitive
        ("alice@contoso.example", "alice@contoso.example"),
        ("a.smith@fabrikam.example", "alice@contoso.example"),  # alias wins over the domain map
        ("alice_fabrikam.example#EXT#@northwind.onmicrosoft.com", "alice@contoso.example"),  # guest, then domain map
        ("first_last_contoso.example#EXT#@fabrikam.example", "first_last@contoso.example"),  # underscore in local part
        ("bob@northwind.example", "bob@northwind.example"),  # unmapped domain stays
        ("bob@contractors.fabrikam.example", "bob@contractors.fabrikam.example"),  # subdomains are not mapped
    ],
)
def test_identity_key(upn, key):
    assert IdentityMap(MAPPED).key(upn) == key


def test_guest_matching_can_be_switched_off():
    upn = "alice_contoso.example#EXT#@fabrikam.example"
    assert IdentityMap(CrossTenant(guests=False)).key(upn) == upn.lower()
    assert IdentityMap(None).key(upn) == "alice@contoso.example"


@pytest.mark.parametrize(
    ("part", "paid"),
    [
        ("SPE_E3", True),
        ("FLOW_FREE", False),
        ("TEAMS_FREE", False),
        ("POWER_BI_STANDARD", False),
        ("POWERAPPS_VIRAL", False),
        ("WINDOWS_STORE", False),
        ("POWER_BI_PRO", True),
        (None, True),
    ],
)
def test_paid_by_part_number(part, paid):
    assert PaidProducts(None).is_paid("00000000-0000-0000-0000-000000000001", part) is paid


def test_catalog_overrides_the_part_number(tmp_path):
    path = policy_file(
        tmp_path,
        "catalog:\n  - sku: SPE_E3\n    free: true\n  - sku: FLOW_FREE\n"
        "    price: {monthly: 4.0, currency: EUR}\n  - sku: EMS\n"
        "    price: {monthly: 0, currency: EUR}\n",
    )
    paid = PaidProducts(load_policies([path]))
    assert not paid.is_paid("x", "SPE_E3") and paid.is_paid("x", "FLOW_FREE") and not paid.is_paid("x", "EMS")


def test_index_keeps_single_accounts_bare_and_skips_free_and_unlicensed():
    doc = small_tenant("alice@contoso.example", "bob@contoso.example", "carol@contoso.example")
    doc["users"][1]["assignedLicenses"] = []
    free = small_tenant("dan@contoso.example", part="FLOW_FREE")
    doc["users"] += free["users"]
    doc["subscribedSkus"] += free["subscribedSkus"]
    index = IdentityIndex(IdentityMap(None))
    index.add(0, snapshot_from_json(doc), PaidProducts(None))
    assert len(index) == 2 and list(index.shared()) == []
    other = json.loads(json.dumps(doc).replace("id-alice", "b-alice"))
    index.add(1, snapshot_from_json(other), PaidProducts(None))
    shared = list(index.shared())
    assert [(k, [(a.tenant, a.user_id) for a in v]) for k, v in shared] == [
        ("alice@contoso.example", [(0, "id-alice"), (1, "b-alice")]),
        ("carol@contoso.example", [(0, "id-carol"), (1, "id-carol")]),
    ]


def test_cross_tenant_section_loads(tmp_path):
    path = policy_file(
        tmp_path,
        "cross_tenant:\n  name: Group\n  domain_map: {Fabrikam.EXAMPLE: Contoso.example}\n"
        "  aliases: {A.Smith@fabrikam.example: alice@contoso.example}\n  guests: false\n"
        "  tenants: [72F988BF-86F1-41AF-91AB-2D7CD011DB47]\n"
        "severities: {cross-tenant-duplicate: high}\n",
    )
    policy = load_policies([path]).policies[0]
    assert policy.cross_tenant == CrossTenant(
        name="Group",
        domain_map=(("fabrikam.example", "contoso.example"),),
        aliases=(("a.smith@fabrikam.example", "alice@contoso.example"),),
        guests=False,
        tenants=("72f988bf-86f1-41af-91ab-2d7cd011db47",),
    )
    assert policy.severities[CrossTenantDuplicate.id].label == "high"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "cross_tenant:\n  domain_map: {'fab rikam': contoso.example}\n",
            5,
            "cross_tenant.domain_map: 'fab rikam' is not a domain name",
        ),
        (
            "cross_tenant:\n  domain_map: {a.example: b.example, b.example: c.example}\n",
            5,
            "a.example maps to b.example, which is itself mapped; map a.example straight to c.example",
        ),
        (
            "cross_tenant:\n  domian_map: {}\n",
            5,
            "unknown key 'domian_map' in cross_tenant; did you mean 'domain_map'?",
        ),
        ("cross_tenant:\n  identity: mail\n", 5, "cross_tenant.identity: 'mail' is not one of: upn"),
        ("cross_tenant:\n  aliases: {alice: bob@x.example}\n", 5, "'alice' is not an address (UPN)"),
        ("cross_tenant:\n  tenants: [contoso]\n", 5, "cross_tenant.tenants[0]: 'contoso' is not a tenant id (GUID)"),
        ("severities:\n  cross-tenant-duplicat: low\n", 5, "did you mean 'cross-tenant-duplicate'?"),
    ],
)
def test_bad_cross_tenant_sections_exit_2_with_a_location(tmp_path, capsys, body, line, message):
    path = policy_file(tmp_path, body)
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}:" in err and message in err and "Traceback" not in err


def test_cross_tenant_twice_in_a_set_is_a_policy_error(tmp_path, capsys):
    a = policy_file(tmp_path, "cross_tenant: {name: A}\n", name="a.yaml")
    b = tmp_path / "b.yaml"
    b.write_text(Path(a).read_text(encoding="utf-8").replace("name: test", "name: other"), encoding="utf-8")
    out = tmp_path / "t"
    out.mkdir()
    assert main(["merge", str(out), "--policies", a, "--policies", str(b)]) == 2
    assert "cross_tenant is also defined in" in capsys.readouterr().err


def test_merge_rule_ids_examples_and_docs():
    ids = {r.id for r in MERGE_RULES}
    assert len(ids) == len(MERGE_RULES)
    validator = jsonschema.Draft202012Validator(build_schema())
    for rule in MERGE_RULES:
        assert rule.__doc__
        example = yaml.safe_load(rule.example())
        doc = {"apiVersion": "license-auditor/v1", "kind": "LicensePolicy", "metadata": {"name": "x"}, **example}
        assert not list(validator.iter_errors(doc)), rule.id
    waiver_rules = build_schema()["properties"]["waivers"]["items"]["properties"]["rule"]["enum"]
    severity_rules = build_schema()["properties"]["severities"]["propertyNames"]["enum"]
    assert ids <= set(waiver_rules) and ids <= set(severity_rules)


def test_a_duplicate_is_waived_by_an_account_in_its_record():
    """A duplicate is waivable by any of its accounts' UPNs or object ids, read from the rule's record
    (Finding.own, a CrossTenantDuplicateDetails)."""
    subject = Subject(type=SubjectType.USER, id="ann", upn="ann")
    waiver = Waiver(CrossTenantDuplicate.id, "ann@fabrikam.example", "both", "cio", date(2030, 1, 1))

    def duplicate(tenants):
        own = CrossTenantDuplicateDetails(tenants=tenants)
        return make(CrossTenantDuplicate.id, "x", Severity.LOW, subject, ["SPE_E5"], "", own)

    assert _covers(waiver, duplicate([{"upn": "ann@contoso.example"}, {"upn": "ann@fabrikam.example"}]))
    assert _covers(waiver, duplicate([{"upn": "ann@contoso.example"}, {"user_id": "ann@fabrikam.example"}]))
    assert not _covers(waiver, duplicate([{"upn": "ann@contoso.example"}, {"upn": "bob@fabrikam.example"}]))
