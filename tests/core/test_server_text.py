"""A server's text is one line where the auditor prints or keeps it (issue 85, point 9): a Graph
error message, or a Partner Center error, holding line breaks cannot start a line of the console
(a GitHub workflow command, a forged "license-auditor:" line) nor span lines of report.json. Pax8's
case runs through `audit --tenants`: tests/billing/test_pax8_numbers.py."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.billing.arm import BillingSourceError
from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor.vendors.partner_center.client import PartnerCenter
from auditor_dev.commerce.server import Asked, StandIn
from auditor_dev.commerce.server import Reply as StandInReply
from auditor_dev.emulator import GraphEmulator, Reply, Request, app_token, error_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
FORGED = "Access denied.\n::error file=report.json::forged\r\nlicense-auditor: 0 findings\u2028done"


def _forged_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.lstrip().startswith(("::", "license-auditor: 0 findings", "done"))]


def test_a_graph_error_message_is_one_line_on_the_console(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tid = "00000000-0000-0000-0000-00000000a001"
    token = app_token(tid)

    def refuse(request: Request) -> Reply | None:
        if request.path == "/subscribedSkus":
            return Reply(403, error_document("Authorization_RequestDenied", FORGED))
        return None

    snapshot = replace(load_snapshot(SAMPLE), tenant_id=tid)
    with GraphEmulator(snapshot, token=token, responders=[refuse]) as graph, pytest.MonkeyPatch.context() as env:
        env.setenv("AUDITOR_ACCESS_TOKEN", token)
        argv = ["audit", "--graph-endpoint", graph.url, "--auth", "token", "--tenant-id", tid]
        code = main([*argv, "--policies", str(EXAMPLE), "--output-dir", str(tmp_path / "out"), "--format", "json"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "Access denied. : :error file=report.json::forged" in err and not _forged_lines(err)
    # the report, which says what it lacks, keeps the server's text on one line too
    gaps = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))["gaps"]
    assert gaps and all("Access denied. : :error" in g["reason"] and "\n" not in g["reason"] for g in gaps)


class _Refusing(StandIn):
    def route(self, asked: Asked) -> StandInReply:
        return StandInReply(400, {"code": "800002\n::error::x", "description": FORGED})


class _Token:
    def get_token(self, *scopes: str, **kwargs: object) -> object:
        from azure.core.credentials import AccessToken

        return AccessToken("stand-in-token", 2**31)


def test_a_partner_center_error_is_one_line() -> None:
    with _Refusing() as pc:
        session = PartnerCenter(_Token(), pc.url, sleep=lambda s: None)  # type: ignore[arg-type]
        with pytest.raises(BillingSourceError) as caught:
            session.request("GET", "/v1/customers/c/subscriptions", "c")
        session.close()
    said = str(caught.value)
    assert "\n" not in said and "\r" not in said and "\u2028" not in said
    # named by its status: a "code" of two lines is no code, and the description is never shown
    assert said == "Partner Center GET /v1/customers/c/subscriptions: HTTP 400"
