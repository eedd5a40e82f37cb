"""`license-auditor merge` over three audited tenants with planted cross-tenant cases (see tenants.py)."""

import json
import shutil

import msgspec
import pytest

from auditor import wording
from auditor.cli import main
from auditor.cross_tenant.rules import CrossTenantDuplicate, SeatsRebalanceAcrossTenants
from auditor.data.model import Cloud, Locale
from auditor.formats.report_json import SCHEMA_VERSION, named_products
from auditor.formats.report_model import builtins
from auditor.merge.document import tenant_finding_id
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor.rules.hygiene.kinds import ResourceAccountPaidLicense

from .tenants import AS_OF, EXAMPLE, audit_tenant, build, read, tenant_documents
from .tenants import GROUP_POLICY as GROUP

E3, E5 = "05e9a617-0261-4cee-bb44-138d3ef5d965", "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
VISIO, PROJECT = "c5928f49-12ba-48f7-ada3-0d743a3601d5", "53818b1b-4a27-454b-8896-0dba576410e6"


@pytest.fixture(scope="module")
def group(tmp_path_factory):
    root = tmp_path_factory.mktemp("group")
    return root, build(root)


def merge(root, folders, *extra, out="merged"):
    args = [
        "merge",
        *map(str, folders),
        "--policies",
        str(EXAMPLE),
        "--policies",
        str(root / "group.yaml"),
        "--output-dir",
        str(root / out),
        "--format",
        "json",
        "--as-of",
        AS_OF,
        *extra,
    ]
    return main(args), root / out / "report.json"


def cross(report):
    return [f for f in report.findings if f.tenant is None]


def test_exact_cross_tenant_findings(group):
    root, folders = group
    code, path = merge(root, folders.values())
    assert code == 1  # the tenants' own high findings are in the merged report
    report = read(path)
    got = [
        (
            f.rule,
            f.severity,
            f.subject.id,
            f.skus,
            f.waived,
            [(t["name"], t["upn"]) for t in f.details.get("tenants", [])],
        )
        for f in cross(report)
    ]
    assert got == [
        (
            CrossTenantDuplicate.id,
            "medium",
            "alice@contoso.example",
            ["SPE_E3"],
            False,
            [("Contoso", "alice@contoso.example"), ("Fabrikam", "Alice@Fabrikam.example")],
        ),
        (
            CrossTenantDuplicate.id,
            "medium",
            "analyst@partner.example",
            ["POWER_BI_PRO"],
            False,
            [
                ("Contoso", "analyst_partner.example#EXT#@contoso.example"),
                ("Fabrikam", "analyst_partner.example#EXT#@fabrikam.example"),
                ("Northwind", "analyst_partner.example#EXT#@northwind.example"),
            ],
        ),
        (
            CrossTenantDuplicate.id,
            "medium",
            "dave@contoso.example",
            ["POWER_BI_PRO"],
            True,
            [("Contoso", "dave@contoso.example"), ("Northwind", "dave_contoso.example#EXT#@northwind.example")],
        ),
        (
            CrossTenantDuplicate.id,
            "medium",
            "erin@contoso.example",
            ["EMS"],
            False,
            [("Contoso", "erin@contoso.example"), ("Fabrikam", "e.smith@fabrikam.example")],
        ),
        (SeatsRebalanceAcrossTenants.id, "low", PROJECT, ["PROJECTPROFESSIONAL"], False, []),
        (SeatsRebalanceAcrossTenants.id, "low", VISIO, ["VISIOCLIENT"], False, []),
    ]
    alice = cross(report)[0]
    assert alice.details["identity"] == "alice@contoso.example"
    assert [t["assigned_by_group"] for t in alice.details["tenants"]] == [[], ["All Office Staff"]]
    assert alice.monthly_cost == 33.75  # one E3 too many, at the example policy's price
    assert alice.policy == "group/cross_tenant"
    dave = cross(report)[2]
    assert dave.waiver.owner == "licensing@contoso.example"
    assert cross(report)[1].monthly_cost == round(2 * 9.40, 2)  # three tenants: two licenses too many


def test_rebalance_details(group):
    root, folders = group
    _, path = merge(root, folders.values())
    by_sku = {f.skus[0]: f for f in cross(read(path)) if f.rule == SeatsRebalanceAcrossTenants.id}
    visio = by_sku["VISIOCLIENT"].details
    assert [(r["tenant"], r["unused"]) for r in visio["surplus"]] == [("Contoso", 12), ("Northwind", 2)]
    assert [(r["tenant"], r["short"], r["consumed"] - r["enabled"]) for r in visio["shortage"]] == [("Fabrikam", 2, 2)]
    assert visio["movable"] == 2 and by_sku["VISIOCLIENT"].monthly_cost == 26.2
    project = by_sku["PROJECTPROFESSIONAL"].details
    assert [(r["tenant"], r["unused"]) for r in project["surplus"]] == [("Contoso", 5), ("Fabrikam", 5)]
    assert [(r["tenant"], r["short"], r["count_violations"]) for r in project["shortage"]] == [("Northwind", 1, 1)]
    tenant_ids = {t.name: t.id for t in read(path).tenants}
    assert project["shortage"][0]["tenant_id"] == tenant_ids["Northwind"]
    assert "licenses cannot be moved between tenants" in by_sku["PROJECTPROFESSIONAL"].message


def test_merged_document_shape(group):
    root, folders = group
    _, path = merge(root, folders.values())
    report = read(path)
    assert report.tenant.name == "Contoso group" and report.tenant.cloud == "worldwide"
    assert report.complete is True
    assert [(t.name, t.complete) for t in report.tenants] == [
        ("Contoso", True),
        ("Fabrikam", True),
        ("Northwind", True),
    ]
    per_tenant = {key: read(folder / "report.json") for key, folder in folders.items()}
    for t in report.tenants:
        assert t.summary == per_tenant[t.name.lower()].summary
    # every per-tenant finding is carried over, named by tenant, under an id unique across tenants
    carried = [f for f in report.findings if f.tenant is not None]
    assert len(carried) == sum(len(r.findings) for r in per_tenant.values())
    assert len({f.id for f in report.findings}) == len(report.findings)
    one = per_tenant["fabrikam"].findings[0]
    match = next(f for f in carried if f.tenant.finding_id == one.id and f.tenant.name == "Fabrikam")
    assert match.id == tenant_finding_id(per_tenant["fabrikam"].tenant.id, one.id)
    assert msgspec.structs.replace(match, id=one.id, tenant=one.tenant) == one
    s = report.summary
    assert s.total == len(report.findings) and s.waived == sum(f.waived for f in report.findings)
    assert s.by_rule[CrossTenantDuplicate.id] == 3 and s.by_rule[SeatsRebalanceAcrossTenants.id] == 2
    assert s.users.total == sum(r.summary.users.total for r in per_tenant.values())
    e3 = next(r for r in report.skus if r.sku == "SPE_E3")
    assert e3.enabled == sum(next(x for x in r.skus if x.sku == "SPE_E3").enabled for r in per_tenant.values())


def test_no_finding_for_different_products_free_products_or_unmapped_domains(group):
    root, folders = group
    _, path = merge(root, folders.values())
    subjects = {f.subject.id for f in cross(read(path))}
    assert not subjects & {
        "bob@contoso.example",
        "carol@contoso.example",
        "frank@contoso.example",
        "frank@northwind.example",
    }
    assert all(f.skus != ["FLOW_FREE"] for f in cross(read(path)))


@pytest.mark.parametrize(("fail_on", "expected"), [("high", 1), ("critical", 0), ("never", 0)])
def test_fail_on(group, fail_on, expected):
    root, folders = group
    assert merge(root, folders.values(), "--fail-on", fail_on)[0] == expected


def test_output_does_not_depend_on_folder_order_and_accepts_the_parent_folder(group, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    root, folders = group
    merge(root, folders.values(), out="a")
    merge(root, reversed(list(folders.values())), out="b")
    merge(root, [root / "outputs"], out="c")
    a, b, c = ((root / x / "report.json").read_bytes() for x in "abc")
    assert a == b == c


def test_incomplete_tenant_makes_the_merge_incomplete(tmp_path, capsys):
    docs = tenant_documents(60)
    docs["northwind"]["gaps"] = [
        {
            "part": "signInActivity",
            "request": "GET /v1.0/users?$select=signInActivity",
            "reason": "403 Forbidden: Entra ID P1 required",
        }
    ]
    # signInActivity missing
    docs["northwind"]["collectedParts"] = [
        "mailboxSettings",
        "hasMembersWithLicenseErrors",
        "usageReports",
        "agentUsers",
    ]
    folders = []
    for key, doc in docs.items():
        audit_tenant(doc, tmp_path / key)
        folders.append(tmp_path / key)
    (tmp_path / "group.yaml").write_text(GROUP, encoding="utf-8")
    code, path = merge(tmp_path, folders)
    assert code == 3
    assert "INCOMPLETE: tenant Northwind has incomplete data" in capsys.readouterr().err
    report = read(path)
    assert report.complete is False
    assert [(t.name, t.complete) for t in report.tenants] == [
        ("Contoso", True),
        ("Fabrikam", True),
        ("Northwind", False),
    ]
    assert [(g.tenant_name, g.part) for g in report.gaps] == [("Northwind", "signInActivity")]
    # the resource swap too: without the sign-ins an account that signs in reads as one that never did
    assert [(n.tenant_name, n.rule) for n in report.not_evaluated] == [
        ("Northwind", InactiveUserLicensed.id),
        ("Northwind", ResourceAccountPaidLicense.id),
    ]
    assert len(cross(report)) == 6  # sign-in data is not needed across tenants
    assert merge(tmp_path, folders, "--allow-gaps")[0] == 1
    assert merge(tmp_path, folders, "--allow-gaps", "--fail-on", "never")[0] == 0


def test_missing_users_leave_the_cross_tenant_rules_partial(tmp_path, capsys):
    docs = tenant_documents(60)
    docs["fabrikam"]["gaps"] = [{"part": "users", "request": "GET /v1.0/users", "reason": "503 after 5 retries"}]
    docs["fabrikam"]["users"] = []
    for key, doc in docs.items():
        audit_tenant(doc, tmp_path / key)
    (tmp_path / "group.yaml").write_text(GROUP, encoding="utf-8")
    code, path = merge(tmp_path, [tmp_path / k for k in docs], "--allow-gaps", "--fail-on", "never")
    assert code == 0
    report = read(path)
    assert report.complete is False
    merge_gaps = [n for n in report.not_evaluated if n.tenant is msgspec.UNSET]
    assert [(n.rule, n.policy) for n in merge_gaps] == [
        (CrossTenantDuplicate.id, "group/cross_tenant"),
        (SeatsRebalanceAcrossTenants.id, "group/cross_tenant"),
    ]
    assert all("tenant Fabrikam" in n.reason and "users not collected" in n.reason for n in merge_gaps)
    # Fabrikam's accounts and seats are left out; Contoso and Northwind still meet
    assert sorted((f.rule, f.subject.id) for f in cross(report)) == [
        (CrossTenantDuplicate.id, "analyst@partner.example"),
        (CrossTenantDuplicate.id, "dave@contoso.example"),
        (SeatsRebalanceAcrossTenants.id, PROJECT),
    ]
    analyst = next(f for f in cross(report) if f.subject.id == "analyst@partner.example")
    assert [t["name"] for t in analyst.details["tenants"]] == ["Contoso", "Northwind"]
    assert merge(tmp_path, [tmp_path / k for k in docs])[0] == 3
    capsys.readouterr()


def test_expected_tenant_without_a_report_makes_the_merge_incomplete(group, tmp_path, capsys):
    _, folders = group
    policy = tmp_path / "expect.yaml"
    policy.write_text(
        GROUP.replace(
            "  name: Contoso group\n", "  name: Contoso group\n  tenants:\n    - 00000000-0000-4000-8000-00000000abcd\n"
        ),
        encoding="utf-8",
    )
    code = main(
        [
            "merge",
            *map(str, folders.values()),
            "--policies",
            str(EXAMPLE),
            "--policies",
            str(policy),
            "--output-dir",
            str(tmp_path / "o"),
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
        ]
    )
    assert code == 3
    err = capsys.readouterr().err
    assert "no report for tenant 00000000-0000-4000-8000-00000000abcd" in err
    assert "Contoso" in err and "is not listed in cross_tenant.tenants" in err
    report = read(tmp_path / "o" / "report.json")
    assert report.complete is False and report.gaps[-1].part == "tenant"


def _break(folder, case):
    if case == "no-report":
        (folder / "report.json").unlink()
    elif case == "no-snapshot":
        (folder / "snapshot.json").unlink()
    elif case == "report-not-json":
        (folder / "report.json").write_text('{"schema_version": 1,\n "tenant": ', encoding="utf-8")
    elif case == "report-bad-severity":
        doc = read(folder / "report.json")
        doc.findings[0].severity = "urgent"
        (folder / "report.json").write_text(json.dumps(doc, default=builtins), encoding="utf-8")
    elif case in ("report-wrong-version", "report-earlier-version"):
        doc = read(folder / "report.json")
        doc.schema_version = 9 if case == "report-wrong-version" else 1
        (folder / "report.json").write_text(json.dumps(doc, default=builtins), encoding="utf-8")
    elif case == "snapshot-broken":
        (folder / "snapshot.json").write_text('{"kind": "license-auditor/snapshot", "schemaVersion": 1}')
    elif case == "snapshot-other-tenant":
        other = json.loads((folder.parent / "contoso" / "snapshot.json").read_text(encoding="utf-8"))
        (folder / "snapshot.json").write_text(json.dumps(other), encoding="utf-8")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no-report", "fabrikam: holds no report.json"),
        ("no-snapshot", "fabrikam/snapshot.json: missing; save it"),
        ("report-not-json", "fabrikam/report.json:2:12: not valid JSON"),
        (
            "report-bad-severity",
            "fabrikam/report.json: not a license-auditor report.json: Invalid enum value 'urgent' - at "
            "`$.findings[0].severity`",
        ),
        ("report-wrong-version", "fabrikam/report.json: unsupported report schema_version 9"),
        (
            "report-earlier-version",
            "fabrikam/report.json: report schema_version 1 was written by a license-auditor from "
            "before its first release",
        ),
        ("snapshot-broken", "fabrikam/snapshot.json: invalid snapshot: tenant"),
        ("snapshot-other-tenant", "but snapshot.json is for"),
    ],
)
def test_broken_input_folder_exits_2_naming_it(group, tmp_path, capsys, case, message):
    root, folders = group
    copies = {}
    for key, folder in folders.items():
        copies[key] = tmp_path / key
        shutil.copytree(folder, copies[key])
    _break(copies["fabrikam"], case)
    code, path = merge(root, copies.values(), out=str(tmp_path / "o"))
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert not path.exists()


def test_missing_folder_same_tenant_twice_and_merged_input_exit_2(group, tmp_path, capsys):
    root, folders = group
    assert merge(root, [folders["contoso"], tmp_path / "nope"])[0] == 2
    assert f"{tmp_path / 'nope'}: no such folder" in capsys.readouterr().err
    assert merge(root, [folders["contoso"], folders["contoso"]])[0] == 2
    assert "was already read from" in capsys.readouterr().err
    merge(root, folders.values(), out="m1")
    assert merge(root, [folders["contoso"], root / "m1"])[0] == 2
    assert "this is a merged report; give the per-tenant output folders" in capsys.readouterr().err


def test_a_parent_folder_with_a_broken_tenant_folder_exits_2(group, tmp_path, capsys):
    root, folders = group
    shutil.copytree(folders["contoso"], tmp_path / "all" / "contoso")
    (tmp_path / "all" / "fabrikam").mkdir()
    (tmp_path / "all" / "fabrikam" / "snapshot.json").write_text("{}")
    assert merge(root, [tmp_path / "all"], out=str(tmp_path / "o"))[0] == 2
    assert f"{tmp_path / 'all' / 'fabrikam'}: holds no report.json" in capsys.readouterr().err


def test_waivers_apply_by_identity_product_and_expiry(group, tmp_path):
    _, folders = group
    policy = tmp_path / "waivers.yaml"
    policy.write_text(
        GROUP
        + """\
  - rule: seats-rebalance-across-tenants
    subject: VISIOCLIENT
    reason: Visio moves to Fabrikam's own agreement in Q1
    owner: licensing@contoso.example
    expires: 2027-01-31
  - rule: cross-tenant-duplicate
    subject: alice@contoso.example
    reason: expired exception
    owner: licensing@contoso.example
    expires: 2026-10-01
  - rule: cross-tenant-duplicate
    subject: "*@contoso.example"
    sku: SPE_E5
    reason: only E5 duplicates, and there are none
    owner: licensing@contoso.example
    expires: 2027-01-31
""",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert (
        main(
            [
                "merge",
                *map(str, folders.values()),
                "--policies",
                str(EXAMPLE),
                "--policies",
                str(policy),
                "--output-dir",
                str(out),
                "--as-of",
                AS_OF,
                "--fail-on",
                "never",
            ]
        )
        == 0
    )
    waived = {(f.rule, f.subject.sku or f.subject.id): f.waived for f in cross(read(out / "report.json"))}
    assert waived == {
        (CrossTenantDuplicate.id, "alice@contoso.example"): False,  # its waiver has expired
        (CrossTenantDuplicate.id, "analyst@partner.example"): False,
        (CrossTenantDuplicate.id, "dave@contoso.example"): True,  # waived by the Northwind guest's UPN
        (CrossTenantDuplicate.id, "erin@contoso.example"): False,
        (SeatsRebalanceAcrossTenants.id, "PROJECTPROFESSIONAL"): False,
        (SeatsRebalanceAcrossTenants.id, "VISIOCLIENT"): True,
    }


def test_merged_report_renders_in_every_format_with_remediation(tmp_path):
    docs = tenant_documents(40)
    docs["fabrikam"]["tenant"]["displayName"] = "Fabrikam <b>&amp;</b>"
    for key, doc in docs.items():
        audit_tenant(doc, tmp_path / key)
    (tmp_path / "group.yaml").write_text(GROUP.replace("  name: Contoso group\n", ""), encoding="utf-8")
    out = tmp_path / "o"
    code = main(
        [
            "merge",
            *(str(tmp_path / k) for k in docs),
            "--policies",
            str(EXAMPLE),
            "--policies",
            str(tmp_path / "group.yaml"),
            "--output-dir",
            str(out),
            "--as-of",
            AS_OF,
        ]
    )
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "digest.html",
        "digest.txt",
        "findings.csv",
        "report.html",
        "report.json",
        "report.md",
        "run.json",  # which run wrote them (auditor.common.run_record): `email` sends only its parts
    ]
    report = read(out / "report.json")
    assert report.tenant.name == "Contoso + Fabrikam <b>&amp;</b> + Northwind"
    for f in cross(report):
        rem = f.remediation
        assert "cannot be" in rem["steps"][0] and rem["links"], f.rule
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>&amp;</b>" not in html and "Fabrikam &lt;b&gt;" in html
    # a person reads the product's name, not its part number (VISIOCLIENT)
    assert "alice@contoso.example" in html and "Visio Plan 2" in (out / "report.md").read_text(encoding="utf-8")
    # findings carried over from a tenant's own audit name the tenant they belong to
    assert "Northwind · contoso-baseline/" in html
    rows = (out / "findings.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sum(",cross-tenant-duplicate," in r for r in rows) == 4


def test_mixed_clouds_warn_and_bad_format_exits_2(tmp_path, capsys):
    docs = tenant_documents(40)
    docs["northwind"]["tenant"]["cloud"] = "china"
    for key, doc in docs.items():
        audit_tenant(doc, tmp_path / key)
    (tmp_path / "group.yaml").write_text(GROUP, encoding="utf-8")
    capsys.readouterr()
    code, path = merge(tmp_path, [tmp_path / k for k in docs], "--fail-on", "never")
    assert code == 0
    report = read(path)
    assert report.tenant.cloud == "worldwide"
    assert [t.cloud for t in report.tenants] == ["worldwide", "worldwide", "china"]
    err = capsys.readouterr().err
    assert "different clouds (china, worldwide)" in err and "all its guidance for the worldwide cloud" in err
    # one cloud for the whole report, as report.html/md/csv draw it: Northwind's carried findings too
    names = named_products((row.sku, row.name) for row in report.skus)
    northwind = [f for f in report.findings if f.tenant and f.tenant.name == "Northwind"]
    assert northwind
    own_report = read(tmp_path / "northwind" / "report.json")  # for 21Vianet
    own = {f.id: f.remediation for f in own_report.findings}
    for f in northwind:
        assert f.remediation == wording.remediation(f.rule, f, cloud=Cloud.WORLDWIDE, locale=Locale.EN, names=names)
    assert any(f.remediation != own[f.tenant.finding_id] for f in northwind)
    assert merge(tmp_path, [tmp_path / k for k in docs], "--format", "pdf")[0] == 2
    assert "unknown format 'pdf'" in capsys.readouterr().err


def test_merge_help_documents_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["merge", "--help"])
    out = capsys.readouterr().out
    assert "--policies PATH" in out and "3  collection error or incomplete tenant data" in out


def test_tenant_jobs_through_graph_then_merge(tmp_path, monkeypatch):
    """The real pipeline: each tenant job reads Graph (loopback emulator) and saves its snapshot."""
    from auditor.snapshot import snapshot_from_json
    from auditor_dev.emulator import GraphEmulator, app_token

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    folders = []
    for key, doc in tenant_documents(60).items():
        snapshot = snapshot_from_json(doc)
        token = app_token(snapshot.tenant_id)
        monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
        folder = tmp_path / "artifacts" / f"tenant-{key}"
        with GraphEmulator(snapshot, token=token) as graph:
            code = main(
                [
                    "audit",
                    "--graph-endpoint",
                    graph.url,
                    "--policies",
                    str(EXAMPLE),
                    "--output-dir",
                    str(folder),
                    "--format",
                    "json",
                    "--as-of",
                    AS_OF,
                    "--save-snapshot",
                    str(folder / "snapshot.json"),
                ]
            )
        assert code == 1 and (folder / "snapshot.json").exists()
        folders.append(folder)
    (tmp_path / "group.yaml").write_text(GROUP, encoding="utf-8")
    code, path = merge(tmp_path, [tmp_path / "artifacts"])
    assert code == 1
    report = read(path)
    assert report.complete is True
    assert [(f.rule, f.subject.sku or f.subject.id, f.waived) for f in cross(report)] == [
        (CrossTenantDuplicate.id, "alice@contoso.example", False),
        (CrossTenantDuplicate.id, "analyst@partner.example", False),
        (CrossTenantDuplicate.id, "dave@contoso.example", True),
        (CrossTenantDuplicate.id, "erin@contoso.example", False),
        (SeatsRebalanceAcrossTenants.id, "PROJECTPROFESSIONAL", False),
        (SeatsRebalanceAcrossTenants.id, "VISIOCLIENT", False),
    ]


def test_merged_report_redacts_people_in_html_markdown_and_csv(tmp_path, monkeypatch):
    """`merge --redact`, as the nightly workflow uses it for public repositories' job summary and e-mail."""
    monkeypatch.setenv("AUDITOR_REDACT_KEY", "k" * 32)
    docs = tenant_documents(40)
    for key, doc in docs.items():
        audit_tenant(doc, tmp_path / key)
    (tmp_path / "group.yaml").write_text(GROUP, encoding="utf-8")
    out = tmp_path / "o"
    code = main(
        [
            "merge",
            *(str(tmp_path / k) for k in docs),
            "--policies",
            str(EXAMPLE),
            "--policies",
            str(tmp_path / "group.yaml"),
            "--output-dir",
            str(out),
            "--as-of",
            AS_OF,
            "--redact",
        ]
    )
    assert code == 1
    assert "alice@contoso.example" in (out / "report.json").read_text(encoding="utf-8")  # the machine record
    for name in ("report.html", "report.md", "findings.csv"):
        text = (out / name).read_text(encoding="utf-8-sig")
        assert "alice@contoso.example" not in text and "@contoso.example" not in text, name


def test_cross_tenant_actions_leave_the_group_in_the_other_tenant(group):
    root, folders = group
    _, path = merge(root, folders.values(), out="merged-actions")
    report = read(path)
    assert report.schema_version == SCHEMA_VERSION
    alice = cross(report)[0]
    rem = alice.remediation
    fabrikam = alice.details["tenants"][1]
    assert fabrikam["assigned_by_group"] == ["All Office Staff"] and len(fabrikam["assigned_by_group_ids"]) == 1
    (action,) = rem["actions"]  # Alice's home account (Contoso) keeps the license
    gid = fabrikam["assigned_by_group_ids"][0]
    assert action["kind"] == "remove_member" and action["tenant"] == fabrikam["id"]
    assert action["path"] == f"/groups/{gid}/members/{fabrikam['user_id']}/$ref"
    assert [a["tenant"] for alt in rem["alternatives"] for a in alt["actions"]] == [alice.details["tenants"][0]["id"]]


def test_merge_writes_one_digest_across_tenants(group):
    """One e-mail a night for many tenants: a line per tenant, the cross-tenant findings, then the top
    actions over all tenants."""
    root, folders = group
    code, path = merge(root, folders.values(), "--format", "json,html", out="merged-digest")
    assert code == 1  # the tenants have findings at or above --fail-on
    report = read(path)
    text = (path.parent / "digest.txt").read_text(encoding="utf-8")
    page = (path.parent / "digest.html").read_text(encoding="utf-8")
    lines = text.splitlines()
    tenants = lines.index("Tenants")
    for t in report.tenants:
        line = next(line for line in lines[tenants:] if line.startswith(f"- {t.name}: "))
        assert f"{t.summary.unwaived} open" in line
    across = lines.index("Across tenants:")
    title = wording.title(CrossTenantDuplicate.id, Locale.EN)
    assert any(line.endswith(f"] {title}: 3") for line in lines[across : across + 4])
    actions = lines[lines.index("Top actions") + 2 :]
    actions = actions[: actions.index("")]
    assert 1 <= len(actions) <= 10
    top = max((f for f in report.findings if not f.waived), key=lambda f: f.monthly_cost or 0)
    assert (top.subject.upn or "") in actions[0] or (top.subject.sku or "") in actions[0]
    assert "Fabrikam" in page and "Northwind" in page and 'href="report.html#rule-' in page
    assert len(page.encode()) < 100_000


def test_amounts_in_different_currencies_are_never_added_up(group, tmp_path):
    """One tenant's report is in dollars, the others in euros: the merged report adds up no money
    across them and says why; a product priced in both currencies shows no money."""
    root, folders = group
    dollars = tmp_path / "northwind"
    shutil.copytree(folders["northwind"], dollars)
    doc = json.loads((dollars / "report.json").read_text(encoding="utf-8"))  # the file's JSON, as it is
    for row in doc["skus"]:
        if row.get("currency"):
            row["currency"] = "USD"
    for key in ("unused_monthly_cost", "reclaimable_monthly_cost"):
        if doc["summary"].get(key):
            doc["summary"][key]["currency"] = "USD"
    (dollars / "report.json").write_text(json.dumps(doc), encoding="utf-8")
    code, path = merge(root, [folders["contoso"], folders["fabrikam"], dollars], out="mixed")
    assert code in (0, 1)  # findings or none: the merge ran
    report = read(path)
    assert any("different currencies (EUR, USD)" in w for w in report.warnings)
    assert report.summary.unused_monthly_cost is None
    priced_in_usd = {r["sku_id"] for r in doc["skus"] if r.get("currency") == "USD"}
    shared = [r for r in report.skus if r.sku_id in priced_in_usd and r.currency is None]
    assert shared, "a product of both currencies"
    assert all(r.unused_monthly_cost is None and r.price_monthly is None for r in shared)


def test_a_merge_refuses_a_one_tenant_audits_folder_and_moves_nothing(group, capsys):
    """Issue 95: a folder belongs to one run; a merge into a tenant's audit folder would write over its
    report.json and digest (keeping nothing in previous/) beside that tenant's license list."""
    root, folders = group
    target = folders["contoso"]
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    code, _ = merge(root, folders.values(), out=target.relative_to(root))
    assert code == 2
    assert f"--output-dir {target}: the folder holds a one-tenant audit's reports" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()} == before
    code, report = merge(root, folders.values(), out="merged-once")
    assert code in (0, 1) and report.is_file()
    recorded = json.loads((report.parent / "run.json").read_text("utf-8"))
    assert recorded["kind"] == "merge" and set(recorded["files"]) == {"report.json"}
