"""Pax8's answers are untrusted (issue 85, points 4, 7 and 9): a number no subscription holds
(`1e400`, `Infinity`, a NaN price, a negative quantity), a listing whose totals do not add up, a page
over its size, an error text with line breaks: each is that customer's gap, said in one line, and
`audit --tenants` audits every tenant, the others' distributor seats read as before."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor.vendors.pax8 import client
from auditor_dev.commerce.pax8 import Pax8StandIn
from auditor_dev.commerce.server import Asked, Reply
from auditor_dev.emulator import GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
SECRET = "msp-secret-never-printed"
E3 = "aaaaaaaa-0000-4000-8000-0000000000e3"
# the customers at Pax8: one whose answer holds the bad number, and one read as usual
BAD = {
    "overflow": ("11111111-0000-4000-8000-000000000001", b'"quantity": 1e400'),
    "infinity": ("11111111-0000-4000-8000-000000000002", b'"quantity": Infinity'),
    "nan-price": ("11111111-0000-4000-8000-000000000003", b'"price": NaN'),
    "negative": ("11111111-0000-4000-8000-000000000004", b'"quantity": -500'),
}
SAID = {  # each customer's gap, as distributor.json and the console say it
    "overflow": "GET /subscriptions: the answer is not JSON Pax8 sends (1e400 is out of range)",
    "infinity": "GET /subscriptions: the answer is not JSON Pax8 sends (Infinity is not a JSON number)",
    "nan-price": "GET /subscriptions: the answer is not JSON Pax8 sends (NaN is not a JSON number)",
    "negative": "GET /subscriptions: subscription 00000000-0000-4000-8000-000000000003's quantity '-500' "
    "is not one Pax8 sends",
    "server-error": "GET /subscriptions: HTTP 500",  # its status: never Pax8's text (several lines here)
}
GOOD = "22222222-0000-4000-8000-000000000009"
FAILING = "33333333-0000-4000-8000-000000000005"  # answers 500 with a text of several lines


def _sub(n: int, company: str, quantity: int = 20) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "companyId": company,
        "productId": E3,
        "productName": "Microsoft 365 E3",
        "quantity": quantity,
        "status": "Active",
        "price": 33.75,
        "currencyCode": "EUR",
        "billingTerm": "Monthly",
    }


class _Pax8(Pax8StandIn):
    """Pax8 whose answers a test rewrites: `raw` puts bytes in place of a company's quantity (what no
    JSON encoder writes), `pages` changes a listing's page object, `error` answers with its text."""

    def __init__(self, subscriptions: list[dict[str, Any]], companies: list[str]) -> None:
        super().__init__(
            client_id="msp",
            client_secret=SECRET,
            companies=[{"id": c, "name": c} for c in companies],
            subscriptions=subscriptions,
        )
        self.raw: dict[str, bytes] = {}
        self.pages: dict[str, Any] = {}
        self.error: dict[str, Reply] = {}

    def _subscriptions(self, asked: Asked) -> Reply:
        company = asked.query.get("companyId", "")
        if company in self.error:
            return self.error[company]
        reply = super()._subscriptions(asked)
        if company in self.pages and reply.status == 200:
            reply.body = self.pages[company](reply.body, int(asked.query.get("page", "0")))
        if company in self.raw and reply.status == 200:
            text = json.dumps(reply.body).encode()
            field = b'"price": 33.75' if b"price" in self.raw[company] else b'"quantity": 20'
            reply.body = text.replace(field, self.raw[company], 1)
        return reply


def test_a_bad_number_from_pax8_is_that_customers_gap_and_every_tenant_is_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    token = app_token("00000000-0000-0000-0000-000000000000")
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("PAX8_CLIENT_ID", "msp")
    monkeypatch.setenv("PAX8_CLIENT_SECRET", SECRET)
    sample = load_snapshot(SAMPLE)
    companies = {**{k: c for k, (c, _) in BAD.items()}, "server-error": FAILING, "good": GOOD}
    subs = [_sub(n, company) for n, company in enumerate(companies.values())]
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    with _Pax8(subs, list(companies.values())) as pax8, contextlib.ExitStack() as stack:
        pax8.raw = {c: raw for c, raw in BAD.values()}
        text = "Internal error\n::error file=x::owned\r\n  license-auditor: all tenants compliant"
        pax8.error[FAILING] = Reply(500, {"message": text})
        lines = ["defaults:", "  client_id: 00000000-0000-0000-0000-0000000000c1", "tenants:"]
        for n, (key, company) in enumerate(companies.items(), start=1):
            tid = f"00000000-0000-0000-0000-{n:012d}"
            graph = stack.enter_context(GraphEmulator(replace(sample, tenant_id=tid, tenant_name=key), token=token))
            lines += [
                f"  - name: {key}",
                f"    tenant_id: {tid}",
                f"    graph_endpoint: {graph.url}",
                "    policies: policies/p.yaml",
                f"    distributor: {{pax8: {{company_id: {company}, products: {{{E3}: SPE_E3}}}}}}",
            ]
        (tmp_path / "t.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        argv = ["audit", "--tenants", "t.yaml", "--auth", "token", "--output-dir", "out", "--format", "json"]
        code = main([*argv, "--as-of", "2026-11-01T06:00:00Z", "--pax8-endpoint", pax8.url, "--fail-on", "never"])
    err = capsys.readouterr().err
    assert code == 1, err  # the sample's findings: the distributor's gaps change no exit code (docs/msp.md)
    rows = {r["key"]: r for r in json.loads((tmp_path / "out" / "tenants.json").read_text("utf-8"))["tenants"]}
    assert {k: r["status"] for k, r in rows.items()} == dict.fromkeys(companies, "ok")
    for key in companies:
        report = json.loads((tmp_path / "out" / key / "report.json").read_text("utf-8"))
        assert report["complete"] is True
        seats = json.loads((tmp_path / "out" / key / "distributor.json").read_text("utf-8"))
        if key == "good":
            assert seats.get("error") is None and [p["billed"] for p in seats["products"]] == [20]
            continue
        assert seats["error"] == SAID[key] and rows[key]["distributor"]["error"], key
        assert report["distributor"]["error"] == SAID[key]  # the tenant's own report says it too
        assert f"{key}: distributor: not read: {SAID[key]}" in err
    assert SECRET not in err
    # a server's text is one line where it is printed: no line of the console starts as Pax8 wished
    assert not [ln for ln in err.splitlines() if ln.lstrip().startswith(("::", "license-auditor: all tenants"))]


def _listing(pax8: _Pax8) -> str:
    with client.Pax8("msp", SECRET, endpoint=pax8.url) as reader:
        try:
            return str(len(reader.subscriptions(GOOD)))
        except client.Pax8Error as exc:
            return str(exc)


def _without(key: str) -> Any:
    return lambda body, number: body | {"page": {k: v for k, v in body["page"].items() if k != key}}


def _empty(at: int) -> Any:
    return lambda body, number: body | {"content": []} if number == at else body


def _counting(elements: int) -> Any:
    return lambda body, number: (
        body | {"page": body["page"] | {"totalElements": elements, "totalPages": -(-elements // 200)}}
    )


def _on_page_1(page: dict[str, Any]) -> Any:
    return lambda body, number: body | {"page": body["page"] | page} if number == 1 else body


def _doubled(body: dict[str, Any], number: int) -> dict[str, Any]:
    return body | {"content": body["content"] * 2}


def _flooded(body: dict[str, Any], number: int) -> bytes:
    return json.dumps(body).encode()[:-1] + b', "padding": "' + b"x" * client.MAX_PAGE_BYTES + b'"}'


@pytest.mark.parametrize(
    ("rewrite", "said"),
    [
        (None, "600"),
        (_without("totalPages"), "GET /subscriptions: the answer's page gives no totalElements and totalPages"),
        (_without("totalElements"), "GET /subscriptions: the answer's page gives no totalElements and totalPages"),
        (_empty(1), "GET /subscriptions: page 1 of 3 is empty"),
        (_counting(700), "GET /subscriptions: Pax8 counts 700 subscriptions, its pages held 600"),
        (_counting(10_001), "GET /subscriptions: 10001 subscriptions, more than 10000 of one company"),
        (_doubled, "GET /subscriptions: page 0 holds 400 subscriptions, more than 200"),
        pytest.param(
            _flooded,
            "GET /subscriptions: the answer is over 4 MiB",
            marks=pytest.mark.off_contract("padded with a key Pax8's Page does not give"),
        ),
        (
            _on_page_1({"totalElements": 599}),
            "GET /subscriptions: the listing changed while it was read (600, then 599)",
        ),
        (_on_page_1({"number": 0}), "GET /subscriptions: page 0 of 3 does not page 600 by 200"),
    ],
    ids=[
        "whole",
        "no-total-pages",
        "no-total-elements",
        "empty-page",
        "fewer",
        "too-many",
        "page-over-size",
        "huge",
        "changed",
        "another-page",
    ],
)
def test_a_listing_is_whole_or_a_gap(rewrite: Any, said: str) -> None:
    """600 subscriptions on three pages are read as 600, or the listing is refused, said in one line."""
    with _Pax8([_sub(n, GOOD, 1) for n in range(600)], [GOOD]) as pax8:
        if rewrite is not None:
            pax8.pages[GOOD] = rewrite
        assert _listing(pax8) == said


def test_a_subscription_of_another_company_is_refused() -> None:
    with _Pax8([_sub(1, GOOD)], [GOOD]) as pax8:
        pax8.pages[GOOD] = lambda body, n: body | {"content": [body["content"][0] | {"companyId": FAILING}]}
        assert (
            _listing(pax8)
            == "GET /subscriptions: subscription '00000000-0000-4000-8000-000000000001' is another company's"
        )
