"""A vendor's answer that echoes the request carries no key anywhere: a 401 whose body repeats the
Authorization header (ConnectWise's Basic `company+public:private` in base64, a bearer token, Autotask's
Secret, Sherweb's APIM key) is named by its status and error code only, never its text, and every
credential the request carried is taken out of the answer as it is read, once, at the border all five
vendors' clients share (auditor.billing.untrusted.read_bounded). A PSA or distributor that could not
be read is the MSP's gap: psa.json, distributor.json and stderr name it, the customer's e-mail does not.
Through the real `audit --tenants` against the Graph emulator, with a loopback SMTP server."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import secrets
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from delivery.conftest import smtp_server
from delivery.test_tenants_mail import _texts

from auditor.billing.sent_credentials import credential_forms, scrub
from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor.vendors.autotask import client as autotask
from auditor.vendors.connectwise.client import ConnectWise, Credentials
from auditor.vendors.partner_center import client as partner_center
from auditor.vendors.pax8.client import Pax8
from auditor.vendors.sherweb.client import Sherweb
from auditor_dev.commerce.connectwise import ConnectWiseStandIn
from auditor_dev.commerce.server import Asked, Reply, StandIn
from auditor_dev.emulator import GraphEmulator, app_token

from .test_pax8 import COMPANY, PBI, SAMPLE
from .test_sources import Token

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contoso-policy.yaml"
MSP, PUBLIC, PRIVATE = "samplemsp", "Hx7sQ2pL9dKw3mYb", "pRiv4te-Kq8Zr2Lx9Vn4"
CLIENT_ID = "3f1c9a52-7d8e-4b61-a0c4-5e2f8d9b7a13"
SECRET, KEY, CODE = "s3cret-value-Wn5Bt8Qe", "apim-key-Jd7Hs2Lm4Pq9", "QZ7XK3M9PLR2TW5VBN8HJD4CSYE"
USER = f"{MSP}+{PUBLIC}:{PRIVATE}"
BASIC = base64.b64encode(USER.encode()).decode()


class Echoing(StandIn):
    """A vendor refusing every API request with a 401 whose body echoes the request: its headers, and
    a Basic token decoded, in every field a vendor's error carries its text in (and the token in
    `code`), as a gateway showing what it refused may. A token request (a path ending in /token) gets
    a new token, so a distributor's client reaches the API with it."""

    def __init__(self) -> None:
        super().__init__(token=None)
        self.issued: list[str] = []

    def route(self, asked: Asked) -> Reply:
        if asked.path.endswith("/token"):
            self.issued.append(secrets.token_urlsafe(24))
            return Reply(200, {"access_token": self.issued[-1], "expires_in": 3600, "token_type": "Bearer"})
        scheme, _, token = asked.headers.get("authorization", "").partition(" ")
        decoded = base64.b64decode(token).decode() if scheme == "Basic" else ""
        echoed = " ".join(f"{k}: {v}" for k, v in asked.headers.items()) + f" ({decoded} was not accepted)"
        text = {"message": echoed, "description": echoed, "detail": echoed, "errors": [echoed]}
        return Reply(401, {"code": token or "Unauthorized", "statusCode": 401, **text})


def _forms(*secret: str) -> list[str]:
    """Each secret as it is sent, and the Basic header's every form: the header, its base64, decoded."""
    return [*secret, f"Basic {BASIC}", BASIC, USER, f"{MSP}+{PUBLIC}", PRIVATE]


READS: dict[str, Callable[[str], Any]] = {
    "connectwise": lambda url: ConnectWise(Credentials(MSP, PUBLIC, PRIVATE, CLIENT_ID), endpoint=url),
    "autotask": lambda url: autotask.Autotask(autotask.Credentials(CODE, "api@msp.example", SECRET), endpoint=url),
    "pax8": lambda url: Pax8("msp", SECRET, endpoint=url),
    "sherweb": lambda url: Sherweb("msp", SECRET, KEY, endpoint=url),
    "partner-center": lambda url: partner_center.PartnerCenter(Token(f"pc-{SECRET}"), url, sleep=lambda _: None),
}


def _read(vendor: str, client: Any) -> None:
    if vendor in ("connectwise", "autotask"):
        client.lines(250, "2026-11-20")
    elif vendor == "partner-center":
        partner_center.read_subscriptions(client, "c1")
    else:
        client.subscriptions(COMPANY)


@pytest.mark.parametrize("vendor", list(READS))
def test_each_vendors_refusal_is_named_by_its_status_and_code_never_its_text(vendor: str) -> None:
    with Echoing() as echo, READS[vendor](echo.url) as client:
        with pytest.raises(Exception) as refused:
            _read(vendor, client)
        said = str(refused.value)
        assert "HTTP 401" in said and "was not accepted" not in said
        leaked = [s for s in _forms(SECRET, KEY, CODE, f"pc-{SECRET}", *echo.issued) if s in said]
        assert not leaked, said
    if vendor == "connectwise":
        assert said.startswith("GET /company/companies/250: HTTP 401 (check CW_COMPANY_ID")


@pytest.mark.off_contract("a company name past ConnectWise's 50 characters, to carry both keys at once")
def test_what_an_answer_echoes_of_the_keys_is_taken_out_as_it_is_read() -> None:
    """A 2xx answer too: the customer's name as ConnectWise answers it, with the keys in it."""
    companies = [{"id": 250, "identifier": "ContosoLtd", "name": f"Contoso {PRIVATE} {BASIC}"}]
    given = {"company_id": MSP, "public_key": PUBLIC, "private_key": PRIVATE, "client_id": CLIENT_ID}
    with (
        ConnectWiseStandIn(**given, companies=companies, agreements=[], additions={}) as cw,
        ConnectWise(Credentials(MSP, PUBLIC, PRIVATE, CLIENT_ID), endpoint=cw.url) as client,
    ):
        assert client.company(250) == "Contoso [redacted] [redacted]"


def test_each_form_an_answer_may_give_a_key_back_in_is_taken_out() -> None:
    """As sent, JSON-escaped (a `/` as `\\/` too), URL-encoded; a token request's client_secret too."""
    headers = {"Authorization": f"Basic {BASIC}", "clientId": CLIENT_ID, "Secret": SECRET}
    forms = credential_forms(headers, {"client_id": "msp", "client_secret": KEY})
    echoed = [BASIC, json.dumps(USER)[1:-1].replace("/", "\\/"), quote(f"Basic {BASIC}", safe=""), quote_plus(USER)]
    said = [*echoed, PRIVATE, SECRET, KEY, f"{MSP}+{PUBLIC}", "company", MSP, "clientId", CLIENT_ID]
    scrubbed = scrub(json.dumps({"message": " ".join(said)}).encode(), forms).decode()
    assert not [s for s in [*echoed, PRIVATE, SECRET, KEY, PUBLIC] if s in scrubbed], scrubbed
    assert f"company {MSP} clientId {CLIENT_ID}" in scrubbed  # what is no credential stays


def test_a_refusal_echoing_the_keys_reaches_no_file_no_stream_and_no_customers_mail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id)
    env = {"AUDITOR_ACCESS_TOKEN": token, "PAX8_CLIENT_ID": "msp", "PAX8_CLIENT_SECRET": SECRET}
    env |= {"CW_COMPANY_ID": MSP, "CW_PUBLIC_KEY": PUBLIC, "CW_PRIVATE_KEY": PRIVATE, "CW_CLIENT_ID": CLIENT_ID}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    with Echoing() as echo, GraphEmulator(sample, token=token) as graph, smtp_server() as server:
        (tmp_path / "t.yaml").write_text(
            f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n    graph_endpoint: {graph.url}\n"
            "    policies: p.yaml\n    client_id: 00000000-0000-0000-0000-0000000000c1\n"
            "    email_to: it@contoso.example\n"
            f"    distributor: {{pax8: {{company_id: {COMPANY}, products: {{{PBI}: POWER_BI_PRO}}}}}}\n"
            "    psa: {connectwise: {company_id: 250, products: {M365-E3: SPE_E3}}}\n",
            "utf-8",
        )
        argv = ["audit", "--tenants", "t.yaml", "--auth", "token", "--output-dir", "out", "--tenant-concurrency", "1"]
        argv += ["--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never"]
        argv += ["--pax8-endpoint", echo.url, "--connectwise-endpoint", echo.url]
        argv += ["--smtp-host", server.host, "--smtp-port", str(server.port), "--from", "audit@msp.example"]
        assert main(argv) in (0, 1)
        tokens = list(echo.issued)
    said = capsys.readouterr()
    (received,) = server.recorder.messages
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    mailed = _texts(message)
    written = {p: p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "out").rglob("*") if p.is_file()}
    places = {"stdout": said.out, "stderr": said.err, "e-mail": mailed, "raw e-mail": received.content.decode()}
    places |= {str(p.relative_to(tmp_path)): text for p, text in written.items()}
    leaked = [(form, where) for form in _forms(SECRET, *tokens) for where, text in places.items() if form in text]
    assert not leaked
    # the gaps are the MSP's: named in its files and on stderr, by status and code
    folder = tmp_path / "out" / "contoso"
    psa = json.loads((folder / "psa.json").read_text("utf-8"))
    distributor = json.loads((folder / "distributor.json").read_text("utf-8"))
    assert psa["error"].startswith("GET /company/companies/250: HTTP 401") and "HTTP 401" in distributor["error"]
    assert "contoso: psa: not read: GET /company/companies/250: HTTP 401" in said.err
    # and never the customer's: its e-mail (the digest, report.html, the CSV) says nothing of them
    assert "HTTP 401" not in mailed and "could not be read from the PSA" not in mailed
    assert "The distributor's seats could not be read" not in mailed and "What the customer is billed" not in mailed


def test_a_credential_header_whose_name_does_not_say_so_is_named_by_its_vendor() -> None:
    """Autotask's ApiIntegrationCode names no key nor secret: its client names it a credential
    (VendorClient.credential_headers), so an answer echoing it loses it too; by its name alone it is none."""
    keys = autotask.Credentials(CODE, "api@msp.example", SECRET)
    with autotask.Autotask(keys, endpoint="http://127.0.0.1:9") as client:  # nothing is asked of it
        sent, named = client.headers(), client.credential_headers
    assert CODE.encode() in credential_forms(sent, None, named)
    assert CODE.encode() not in credential_forms(sent)
    assert scrub(f"refused: {CODE}".encode(), credential_forms(sent, None, named)) == b"refused: [redacted]"
