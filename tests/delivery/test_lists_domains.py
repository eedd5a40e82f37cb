"""`lists` checks a folder against a tenant given by its domain (issue 85, point 6): `audit --tenants`
keeps in report.json the `tenant_id` domain it found among the tenant's verified domains
(`tenant.domain`), and `lists` sends a folder only to the entry whose domain that is; a report that
names no domain is not sent either, said as "could not be checked". And docs/msp.md's `lists`
snippet loads as written."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.delivery.matrix import load_tenants
from auditor.snapshot import snapshot_from_json
from auditor_dev.emulator import GraphEmulator, app_token
from auditor_dev.sample.generate import generate_document

from .conftest import recorded, smtp_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
CLIENT = "00000000-0000-0000-0000-0000000000c1"
TENANTS = {"contoso": "00000000-0000-0000-0000-00000000c001", "fabrikam": "00000000-0000-0000-0000-00000000f001"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`audit --tenants` of Contoso and Fabrikam, each named by its domain, each read from its emulator."""
    root = tmp_path_factory.mktemp("domains")
    token = app_token("00000000-0000-0000-0000-000000000000")
    lines = ["defaults:", f"  client_id: {CLIENT}", "tenants:"]
    with pytest.MonkeyPatch.context() as patch, contextlib.ExitStack() as stack:
        patch.setenv("AUDITOR_ACCESS_TOKEN", token)
        patch.setenv("SOURCE_DATE_EPOCH", "1793512800")
        patch.delenv("GITHUB_ACTIONS", raising=False)
        patch.chdir(root)
        (root / "policies").mkdir()
        (root / "policies" / "p.yaml").write_bytes(EXAMPLE.read_bytes())
        for n, (key, tid) in enumerate(TENANTS.items()):
            doc = generate_document(30, seed=3 + n, tenant_name=key.title(), domain=f"{key}.example")
            snapshot = replace(snapshot_from_json(doc), tenant_id=tid)
            graph = stack.enter_context(GraphEmulator(snapshot, token=token))
            lines += [
                f"  - name: {key.title()}",
                f"    tenant_id: {key}.example",
                f"    graph_endpoint: {graph.url}",
                "    policies: policies/p.yaml",
            ]
        (root / "t.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        argv = ["audit", "--tenants", str(root / "t.yaml"), "--auth", "token", "--output-dir", str(root / "out")]
        assert main([*argv, "--format", "json,csv", "--as-of", "2026-11-01T06:00:00Z"]) in (0, 1, 3)
    return root / "out"


def _lists(tmp_path: Path, folder: Path, entries: dict[str, str]) -> tuple[int, list[list[str]]]:
    lines = ["defaults:", f"  client_id: {CLIENT}", "tenants:"]
    for name, tenant_id in entries.items():
        lines += [f"  - name: {name}", f"    tenant_id: {tenant_id}", f"    list_to: it@{name.lower()}.example"]
    (tmp_path / "lists.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    with smtp_server() as server:
        argv = ["lists", str(folder), "--tenants", str(tmp_path / "lists.yaml"), "--smtp-host", server.host]
        code = main([*argv, "--smtp-port", str(server.port), "--from", "msp@msp.example"])
        return code, sorted(m.rcpt_tos for m in server.recorder.messages)


def test_the_audit_keeps_the_domain_it_checked(run: Path) -> None:
    for key, tid in TENANTS.items():
        tenant = json.loads((run / key / "report.json").read_text("utf-8"))["tenant"]
        assert tenant["id"] == tid and tenant["domain"] == f"{key}.example"


def test_a_folder_goes_only_to_the_entry_whose_domain_it_is(
    tmp_path: Path, run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _lists(tmp_path, run, {"Contoso": "contoso.example", "Fabrikam": "FABRIKAM.example"}) == (
        0,
        [["it@contoso.example"], ["it@fabrikam.example"]],
    )
    capsys.readouterr()
    # Fabrikam's entry names Contoso's domain: Fabrikam's folder is not sent, Contoso's own still is
    code, sent = _lists(tmp_path, run, {"Contoso": "contoso.example", "Fabrikam": "contoso.example"})
    assert (code, sent) == (3, [["it@contoso.example"]])
    err = capsys.readouterr().err
    assert f"its report is of tenant {TENANTS['fabrikam']} (fabrikam.example), not Fabrikam's contoso.example" in err


def test_a_report_without_a_checked_domain_is_not_sent(
    tmp_path: Path, run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy"
    for key in TENANTS:
        (copy / key).mkdir(parents=True)
        (copy / key / "licensed-users.csv").write_bytes((run / key / "licensed-users.csv").read_bytes())
        report = json.loads((run / key / "report.json").read_text("utf-8"))
        del report["tenant"]["domain"]  # as an audit of a --snapshot writes it
        (copy / key / "report.json").write_text(json.dumps(report), "utf-8")
        recorded(copy / key)  # as one run wrote them: the domain's absence is what is refused
    code, sent = _lists(tmp_path, copy, {"Contoso": TENANTS["contoso"], "Fabrikam": "fabrikam.example"})
    assert (code, sent) == (3, [["it@contoso.example"]])  # by its GUID Contoso's is still checked and sent
    err = capsys.readouterr().err
    assert "fabrikam: " in err and "could not be checked" in err and len(err.strip().splitlines()) == 2


def test_the_msp_pages_lists_snippet_loads_as_written(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "msp.md").read_text("utf-8")
    section = text[text.index("license list, every month") :]
    snippet = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert snippet is not None
    (tmp_path / "tenants.yaml").write_text(snippet.group(1), "utf-8")
    [job] = load_tenants(tmp_path / "tenants.yaml")
    assert job.list_to and job.tenant_id == "fabrikam.onmicrosoft.com"
