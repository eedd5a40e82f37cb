"""Tenants file -> job matrix for the nightly workflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main as cli_main
from auditor.common.errors import UsageError
from auditor.delivery.matrix import load_tenants, main, tenant_from_env

ROOT = Path(__file__).resolve().parents[2]
GUID = "00000000-0000-0000-0000-0000000000a1"


def test_example_file_makes_one_job_per_tenant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "github_output"
    code = main(
        ["--file", str(ROOT / "tenants.example.yaml"), "--github-output"], environ={"GITHUB_OUTPUT": str(output)}
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    lines = output.read_text().splitlines()
    assert lines[0] == "matrix=" + json.dumps(printed, separators=(",", ":"), sort_keys=True)
    assert lines[1] == "count=3"
    jobs = printed["include"]
    assert [j["key"] for j in jobs] == ["contoso", "contoso-nederland", "contoso-us-government"]
    assert jobs[0] == {
        "key": "contoso",
        "name": "Contoso",
        "tenant_id": "00000000-0000-0000-0000-000000000001",
        "client_id": GUID,
        "cloud": "worldwide",
        "locale": "en",
        "email_to": "licensing@contoso.example",
        "policies": "policies",
        "fail_on": "high",
        "apply_client_id": "00000000-0000-0000-0000-0000000000b1",
        "billing": "billing/contoso.csv",
        "migration": "",
        "billing_source": "auto",
        "billing_account": "",
        "graph_endpoint": "",
        "billing_client_id": "00000000-0000-0000-0000-0000000000c1",
        "list_to": "",
        "distributor": "",
        "psa": "",
    }
    assert jobs[1]["tenant_id"] == "contosonl.onmicrosoft.com"
    assert jobs[1]["email_to"] == "licensing@contoso.example,it@contoso.example.nl"
    # the example's Sherweb and Halo blocks (issue 116), as the tenants file's checks keep them
    assert json.loads(jobs[1]["distributor"]) == {
        "sherweb": {
            "customer_id": "00000000-0000-0000-0000-0000000000d2",
            "products": {"ms-0a-o365-business": "O365_BUSINESS_PREMIUM"},
        }
    }
    assert json.loads(jobs[1]["psa"]) == {"halo": {"company_id": 31, "products": {"ms-bp": "O365_BUSINESS_PREMIUM"},
                                                   "team": "Licensing"}}  # fmt: skip
    assert (jobs[2]["cloud"], jobs[2]["fail_on"], jobs[2]["locale"]) == ("usgov", "medium", "")


def test_without_the_file_one_tenant_comes_from_repository_variables(capsys: pytest.CaptureFixture[str]) -> None:
    env = {
        "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
        "AZURE_CLIENT_ID": GUID,
        "LICENSE_AUDIT_CLOUD": "",
        "LICENSE_AUDIT_EMAIL_TO": "a@contoso.example, b@contoso.example",
        "LICENSE_AUDIT_LOCALE": "da",
    }
    assert main(["--file", "/nonexistent/tenants.yaml"], environ=env) == 0
    [job] = json.loads(capsys.readouterr().out)["include"]
    assert job == {
        "key": "tenant",
        "name": "tenant",
        "tenant_id": "contoso.onmicrosoft.com",
        "client_id": GUID,
        "cloud": "worldwide",
        "locale": "da",
        "email_to": "a@contoso.example,b@contoso.example",
        "policies": "policies",
        "fail_on": "high",
        "apply_client_id": "",
        "billing": "",
        "migration": "",
        "billing_source": "auto",
        "billing_account": "",
        "graph_endpoint": "",
        "billing_client_id": "",
        "list_to": "",
        "distributor": "",
        "psa": "",
    }


def test_one_tenant_connection_takes_the_write_app(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "github_output"
    example = str(ROOT / "tenants.example.yaml")
    assert (
        main(["--file", example, "--tenant", "contoso", "--github-output"], environ={"GITHUB_OUTPUT": str(output)}) == 0
    )
    assert json.loads(capsys.readouterr().out)["client_id"] == "00000000-0000-0000-0000-0000000000b1"
    assert output.read_text().splitlines() == [
        "key=contoso",
        "name=Contoso",
        "tenant_id=00000000-0000-0000-0000-000000000001",
        "client_id=00000000-0000-0000-0000-0000000000b1",
        "cloud=worldwide",
        "billing_client_id=00000000-0000-0000-0000-0000000000c1",
    ]
    # without apply_client_id the audit's app is the one that writes
    assert main(["--file", example, "--tenant", "contoso-us-government"], environ={}) == 0
    assert json.loads(capsys.readouterr().out) == {
        "key": "contoso-us-government",
        "name": "Contoso US Government",
        "tenant_id": "00000000-0000-0000-0000-000000000003",
        "client_id": "00000000-0000-0000-0000-0000000000a3",
        "cloud": "usgov",
        "billing_client_id": "",
    }
    assert main(["--file", example, "--tenant", "fabrikam"], environ={}) == 2
    assert "no tenant has the key 'fabrikam' (keys: contoso, contoso-nederland" in capsys.readouterr().err


def test_an_apply_client_id_must_be_a_guid(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    apply_client_id: app\n")
    with pytest.raises(UsageError, match=r"tenants\[0\]\.apply_client_id: 'app' is not an application"):
        load_tenants(path)
    path.write_text(f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    billing_client_id: x\n")
    with pytest.raises(UsageError, match=r"tenants\[0\]\.billing_client_id: 'x' is not an application"):
        load_tenants(path)


def test_no_file_and_no_variables_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], environ={}) == 2
    assert "set the repository variables AZURE_TENANT_ID and AZURE_CLIENT_ID" in capsys.readouterr().err


def test_github_output_needs_the_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--file", str(ROOT / "tenants.example.yaml"), "--github-output"], environ={}) == 2
    assert "GITHUB_OUTPUT is not set" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "tenants:\n  - tenant_id: contoso.example\n    client_id: nope\n",
            "tenants.yaml:2: tenants[0].client_id: 'nope' is not an application (client) id GUID",
        ),
        (
            f"tenants:\n  - name: A\n    tenant_id: contoso.example\n    client_id: {GUID}\n"
            f"  - name: B\n    tenant_id: 'a b'\n    client_id: {GUID}\n",
            "tenants.yaml:5: tenants[1].tenant_id: 'a b' is not a tenant GUID or domain name",
        ),
        (
            f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    cloud: mars\n",
            "tenants[0].cloud: 'mars' is not one of worldwide, usgov, usgov-dod, china, germany",
        ),
        (
            f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    locale: fr\n",
            "tenants[0].locale: 'fr' is not one of en, nl, da, sv, tr",
        ),
        (
            f'tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    email_to: "x@y.example\\nBcc: z"\n',
            "tenants[0].email_to: address 'Bcc:': not a plain e-mail address",
        ),
        (
            f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    secret: hunter2\n",
            "tenants[0]: unknown key 'secret'",
        ),
        (
            f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    policies: ../../etc\n",
            "tenants[0].policies: '../../etc' must be a relative path inside the repository",
        ),
        (
            f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    billing: /etc/billing.csv\n",
            "tenants[0].billing: '/etc/billing.csv' must be a relative path inside the repository",
        ),
        (
            f"tenants:\n  - tenant_id: contoso.example\n    client_id: {GUID}\n    migration: a/../../m.json\n",
            "tenants[0].migration: 'a/../../m.json' must be a relative path inside the repository",
        ),
        (
            f"tenants:\n  - name: Contoso NL\n    tenant_id: a.example\n    client_id: {GUID}\n"
            f"  - name: contoso-nl\n    tenant_id: b.example\n    client_id: {GUID}\n",
            "tenants[1].name: 'contoso-nl' and 'Contoso NL' both make the job key 'contoso-nl'",
        ),
        ("tenants: []\n", "expected a mapping with a non-empty 'tenants' list"),
        # a key given twice: the last would win, one customer's entry audited as another tenant
        (
            f"tenants:\n  - name: Contoso\n    tenant_id: contoso.example\n    client_id: {GUID}\n"
            "    tenant_id: fabrikam.example\n",
            "tenants.yaml:5: not valid YAML: duplicate key 'tenant_id' (first on line 3)",
        ),
        (
            f"tenants:\n  - tenant_id: a.example\n    client_id: {GUID}\n"
            f"tenants:\n  - tenant_id: b.example\n    client_id: {GUID}\n",
            "tenants.yaml:4: not valid YAML: duplicate key 'tenants' (first on line 1)",
        ),
        # a merge key would copy another tenant's keys (its email_to) into this one without saying them
        (
            f"tenants:\n  - &fab\n    name: Fabrikam\n    tenant_id: fabrikam.example\n    client_id: {GUID}\n"
            "    email_to: it@fabrikam.example\n"
            f"  - <<: *fab\n    name: Contoso\n    tenant_id: contoso.example\n",
            "tenants.yaml:7: not valid YAML: a merge key (<<) is not allowed",
        ),
        # a line break in a value would write extra step outputs to $GITHUB_OUTPUT
        (
            f'tenants:\n  - name: "Contoso\\nevil_output=injected"\n    tenant_id: a.example\n    client_id: {GUID}\n',
            "tenants.yaml:2: tenants[0].name: contains the control character U+000A",
        ),
        (
            f'tenants:\n  - name: "Contoso \\u202egnp.exe"\n    tenant_id: a.example\n    client_id: {GUID}\n',
            "tenants[0].name: contains the control character U+202E",
        ),
        ("tenants:\n  - [a, b\n", "tenants.yaml:3: not valid YAML"),
        (
            f"defaults:\n  tenant_id: x\ntenants:\n  - tenant_id: a.example\n    client_id: {GUID}\n",
            "tenants.yaml:2: defaults.tenant_id: 'defaults' may only set client_id, cloud, locale, policies, fail_on",
        ),
        # an address that reaches a customer is each tenant's own, as list_to is: from defaults it would
        # get every customer's report
        (
            f"defaults:\n  client_id: {GUID}\n  email_to: it@contoso.example\ntenants:\n  - tenant_id: a.example\n",
            "tenants.yaml:3: defaults.email_to is not allowed: one address would get every customer's report; "
            "give each tenant its own email_to",
        ),
        (
            f"defaults:\n  list_to: [it@contoso.example]\ntenants:\n  - tenant_id: a.example\n    client_id: {GUID}\n",
            "tenants.yaml:2: defaults.list_to is not allowed: one address would get every customer's license list",
        ),
    ],
)
def test_bad_tenants_files_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_tenants(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_defaults_fill_and_tenants_override(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(
        f"defaults:\n  client_id: {GUID}\n  fail_on: low\n  locale: nl\n"
        "tenants:\n  - tenant_id: contoso.example\n    fail_on: never\n    email_to: []\n",
        encoding="utf-8",
    )
    [job] = load_tenants(path)
    assert (job.client_id, job.fail_on, job.locale, job.email_to, job.key) == (
        GUID,
        "never",
        "nl",
        "",
        "contoso-example",
    )


def test_env_tenant_is_validated_like_the_file() -> None:
    with pytest.raises(UsageError, match=r"environment\.client_id"):
        tenant_from_env({"AZURE_TENANT_ID": "contoso.example", "AZURE_CLIENT_ID": ""})


def _many(tmp_path: Path, count: int) -> Path:
    lines = ["defaults:", f"  client_id: {GUID}", "tenants:"]
    lines += [f"  - name: Customer {n}\n    tenant_id: customer{n}.onmicrosoft.com" for n in range(count)]
    (tmp_path / "tenants.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return tmp_path / "tenants.yaml"


def test_shard_size_makes_one_job_per_shard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "github_output"
    assert (
        main(
            ["--file", str(_many(tmp_path, 1000)), "--shard-size", "250", "--github-output"],
            environ={"GITHUB_OUTPUT": str(output)},
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"include": [{"shard": f"{k}/4", "index": str(k)} for k in range(1, 5)]}
    assert output.read_text().splitlines()[1] == "count=1000"  # tenants, not jobs
    assert main(["--file", str(_many(tmp_path, 3)), "--shard-size", "250"]) == 0
    assert json.loads(capsys.readouterr().out) == {"include": [{"shard": "1/1", "index": "1"}]}


def test_a_per_tenant_matrix_past_the_limit_names_the_sharded_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _many(tmp_path, 300)
    assert main(["--file", str(file)]) == 2
    assert "--shard K/N" in capsys.readouterr().err
    assert main(["--file", str(file), "--shard-size", "1"]) == 2  # 300 shards of one: past the limit too
    assert "raise --shard-size to at least 2" in capsys.readouterr().err


def test_audit_tenants_refuses_an_email_to_of_the_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Through the command line: the file is refused before any tenant is read, naming its line."""
    path = tmp_path / "tenants.yaml"
    path.write_text(
        f"defaults:\n  client_id: {GUID}\n  email_to: [licensing@contoso.example]\n"
        "tenants:\n  - name: Fabrikam\n    tenant_id: fabrikam.example\n",
        "utf-8",
    )
    assert cli_main(["audit", "--tenants", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert f"{path}:3: defaults.email_to is not allowed" in capsys.readouterr().err
    assert not (tmp_path / "out" / "fabrikam").exists()
