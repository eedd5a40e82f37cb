"""Credentials per --auth mode, the GitHub OIDC assertion, and the app permission check."""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from auditor.common.errors import AuthError
from auditor.data.model import Cloud
from auditor.graph.auth import (
    AuthMode,
    GitHubOidcAssertion,
    StaticTokenCredential,
    TokenClaims,
    build_credential,
    check_permissions,
    get_access_token,
    resolve_mode,
    token_claims,
)
from auditor.graph.clouds import ENDPOINTS, endpoints
from auditor_dev.emulator import app_token

WW = endpoints(Cloud.WORLDWIDE)
TENANT = "6f1d3c2a-9b8e-4d7f-a1c2-3e4f5a6b7c8d"


def _jwt(claims):
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{body}.sig"


def test_cloud_endpoints():
    assert ENDPOINTS[Cloud.USGOV].graph_v1 == "https://graph.microsoft.us/v1.0"
    assert ENDPOINTS[Cloud.USGOV_DOD].graph == "https://dod-graph.microsoft.us"
    assert ENDPOINTS[Cloud.CHINA].authority == "login.chinacloudapi.cn"
    assert ENDPOINTS[Cloud.USGOV].scope == "https://graph.microsoft.us/.default"
    with pytest.raises(Exception, match="Deutschland"):
        endpoints(Cloud.GERMANY)


def test_auto_mode_order():
    assert resolve_mode(AuthMode.AUTO, {"AUDITOR_ACCESS_TOKEN": "x"}, None) is AuthMode.TOKEN
    actions = {"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "http://x", "AZURE_CLIENT_ID": "c"}
    assert resolve_mode(AuthMode.AUTO, {**actions, "AZURE_TENANT_ID": TENANT}, None) is AuthMode.GITHUB_OIDC
    assert resolve_mode(AuthMode.AUTO, actions, TENANT) is AuthMode.GITHUB_OIDC
    assert resolve_mode(AuthMode.AUTO, actions, None) is AuthMode.DEFAULT  # no tenant known
    assert resolve_mode(AuthMode.AUTO, {}, None) is AuthMode.DEFAULT
    assert resolve_mode(AuthMode.AZURE_CLI, {"AUDITOR_ACCESS_TOKEN": "x"}, None) is AuthMode.AZURE_CLI


def test_token_mode():
    token = app_token(TENANT)
    cred = build_credential(AuthMode.AUTO, tenant_id=None, cloud=WW, env={"AUDITOR_ACCESS_TOKEN": token + "\n"})
    assert cred.mode is AuthMode.TOKEN and token not in cred.description
    assert cred.credential.get_token(WW.scope).token == token
    with pytest.raises(AuthError, match="AUDITOR_ACCESS_TOKEN"):
        build_credential(AuthMode.TOKEN, tenant_id=None, cloud=WW, env={})


def test_static_token_expiry():
    cred = StaticTokenCredential(app_token(TENANT, lifetime=-1))
    with pytest.raises(AuthError, match="expired"):
        cred.get_token(WW.scope)
    opaque = StaticTokenCredential("opaque-token")
    assert opaque.get_token(WW.scope).expires_on > time.time()


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        (AuthMode.CERTIFICATE, "AZURE_CLIENT_CERTIFICATE_PATH"),
        (AuthMode.GITHUB_OIDC, "id-token: write"),
        (AuthMode.ENVIRONMENT, "AZURE_CLIENT_ID"),
    ],
)
def test_missing_configuration_is_named(mode, words):
    with pytest.raises(AuthError, match=words):
        build_credential(mode, tenant_id=TENANT, cloud=WW, env={})


def test_certificate_credential_loads_a_real_certificate(tmp_path):
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "license-auditor")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "app.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    env = {"AZURE_CLIENT_ID": "11111111-1111-4111-8111-111111111111", "AZURE_CLIENT_CERTIFICATE_PATH": str(pem)}
    cred = build_credential(AuthMode.CERTIFICATE, tenant_id=TENANT, cloud=ENDPOINTS[Cloud.USGOV], env=env)
    assert cred.mode is AuthMode.CERTIFICATE
    assert type(cred.credential).__name__ == "CertificateCredential"
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(AuthError, match="cannot load the certificate"):
        build_credential(
            AuthMode.CERTIFICATE, tenant_id=TENANT, cloud=WW, env={**env, "AZURE_CLIENT_CERTIFICATE_PATH": str(bad)}
        )


def _start(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """A loopback server on its own thread, and the token endpoint's URL on it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/token?api-version=2.0"


def _stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


class _ActionsTokenServer:
    """Stands in for the GitHub Actions OIDC token endpoint on loopback."""

    def __init__(self, lifetime: int) -> None:
        self.calls: list[tuple[str, str]] = []
        self.lifetime = lifetime
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):
                outer.calls.append((self.path, self.headers.get("Authorization", "")))
                if self.headers.get("Authorization") != "bearer request-token":
                    self.send_response(403)
                    self.end_headers()
                    return
                token = _jwt(
                    {
                        "sub": "repo:contoso/audit:ref:refs/heads/main",
                        "aud": "api://AzureADTokenExchange",
                        "exp": int(time.time()) + outer.lifetime,
                        "n": len(outer.calls),
                    }
                )
                data = json.dumps({"count": 1, "value": token}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server, self.url = _start(Handler)

    def close(self):
        _stop(self.server)


def test_github_oidc_assertion_fetches_and_refreshes():
    server = _ActionsTokenServer(lifetime=3600)
    try:
        assertion = GitHubOidcAssertion(server.url, "request-token")
        first = assertion()
        assert assertion() == first and len(server.calls) == 1  # cached while valid
        path, auth = server.calls[0]
        assert "api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange" in path
        assert auth == "bearer request-token"
        assert (claims := token_claims(first)) is not None and claims.aud == "api://AzureADTokenExchange"
        server.lifetime = 30  # within a minute of expiry: every call fetches a fresh one
        near_expiry = GitHubOidcAssertion(server.url, "request-token")
        second = near_expiry()
        third = near_expiry()
        assert len({first, second, third}) == 3 and len(server.calls) == 3
        refused = GitHubOidcAssertion(server.url, "wrong")
        with pytest.raises(AuthError, match="id-token: write"):
            refused()
    finally:
        server.close()


def test_github_oidc_credential_is_a_client_assertion():
    env = {
        "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:1/t",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "r",
        "AZURE_CLIENT_ID": "11111111-1111-4111-8111-111111111111",
        "GITHUB_ACTIONS": "true",
    }
    cred = build_credential(AuthMode.AUTO, tenant_id=TENANT, cloud=ENDPOINTS[Cloud.CHINA], env=env)
    assert cred.mode is AuthMode.GITHUB_OIDC
    assert type(cred.credential).__name__ == "_MaskedInActions"  # in Actions, tokens are masked in the log
    assert type(cred.credential._inner).__name__ == "ClientAssertionCredential"  # type: ignore[attr-defined]
    assert "r" not in cred.description.split()


def test_permission_check():
    def claims(**payload: object) -> TokenClaims:
        return TokenClaims.of(payload)

    full = claims(roles=["User.Read.All", "Organization.Read.All", "GroupMember.Read.All", "AuditLog.Read.All"])
    assert check_permissions(full, need_sign_in=True).missing == ()
    lic = claims(roles=["User.Read.All", "LicenseAssignment.Read.All", "GroupMember.Read.All"])
    missing = [p.name for p in check_permissions(lic, need_sign_in=True).missing]
    assert missing == ["Organization.Read.All", "AuditLog.Read.All"]
    assert [p.name for p in check_permissions(full, need_sign_in=False, need_mail=True).missing] == ["Mail.Send"]
    assert check_permissions(claims(roles=["Directory.Read.All"]), need_sign_in=False).missing == ()
    assert not check_permissions(None, need_sign_in=True).checked
    delegated = check_permissions(claims(scp="User.Read"), need_sign_in=True)
    assert not delegated.checked and "delegated" in delegated.note
    # untrusted claims are taken only in their documented types: a roles claim that is no list grants nothing
    assert [p.name for p in check_permissions(claims(roles="User.Read.All"), need_sign_in=False).missing][:1] == [
        "User.Read.All"
    ]
    assert token_claims("not-a-jwt") is None and token_claims("a.!!!.c") is None


@pytest.mark.parametrize("bad", ["abc.SECRETPART\nxyz", "abc SECRETPART", "SECRÉTTOKEN"])
def test_token_with_impossible_characters_is_refused_without_echoing_it(bad):
    from auditor.common.errors import AuthError
    from auditor.graph.auth import StaticTokenCredential

    with pytest.raises(AuthError) as err:
        StaticTokenCredential(bad)
    assert "SECR" not in str(err.value) and "contains characters a bearer token cannot have" in str(err.value)


class _Redirector:
    """Answers every request with a 302 to `target` (filled in after start)."""

    def __init__(self) -> None:
        self.target = ""
        self.calls: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):
                outer.calls.append((self.path, self.headers.get("Authorization", "")))
                moved = self.path.startswith("/token")
                self.send_response(302 if moved else 404)
                if moved:
                    self.send_header("Location", outer.target)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server, self.url = _start(Handler)

    def close(self):
        _stop(self.server)


def test_github_oidc_request_does_not_follow_a_redirect_to_another_host():
    elsewhere = _ActionsTokenServer(lifetime=3600)  # would hand out a token to anyone holding the request token
    redirector = _Redirector()
    try:
        redirector.target = elsewhere.url
        with pytest.raises(AuthError, match="redirected to another host"):
            GitHubOidcAssertion(redirector.url, "request-token")()
        assert elsewhere.calls == []
    finally:
        redirector.close()
        elsewhere.close()


def test_github_oidc_request_token_is_not_sent_on_after_a_same_host_redirect():
    redirector = _Redirector()
    try:
        redirector.target = redirector.url.replace("/token", "/elsewhere")
        with pytest.raises(AuthError):
            GitHubOidcAssertion(redirector.url, "request-token")()
        assert [auth for _, auth in redirector.calls] == ["bearer request-token", ""]
        assert redirector.calls[1][0].startswith("/elsewhere")
    finally:
        redirector.close()


def test_tokens_are_masked_in_the_actions_log(monkeypatch, capsys):
    token = _jwt({"aud": "https://graph.microsoft.com", "exp": int(time.time()) + 3600})
    inside = build_credential(
        AuthMode.TOKEN,
        tenant_id=None,
        cloud=ENDPOINTS[Cloud.WORLDWIDE],
        env={"AUDITOR_ACCESS_TOKEN": token, "GITHUB_ACTIONS": "true"},
    )
    read, write = os.pipe()  # a step's stderr, as the runner reads it
    with os.fdopen(write, "w") as pipe, monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", pipe)
        assert inside.credential.get_token("scope").token == token
        inside.credential.get_token("scope")
    with os.fdopen(read) as runner:
        assert runner.read() == f"::add-mask::{token}\n"  # once per token, before anything can print it
    again = build_credential(
        AuthMode.TOKEN,
        tenant_id=None,
        cloud=ENDPOINTS[Cloud.WORLDWIDE],
        env={"AUDITOR_ACCESS_TOKEN": token, "GITHUB_ACTIONS": "true"},
    )
    again.credential.get_token("scope")
    # captured (not a pipe, like a file or a terminal): the command would leave the token readable there
    assert capsys.readouterr() == ("", "")
    outside = build_credential(
        AuthMode.TOKEN, tenant_id=None, cloud=ENDPOINTS[Cloud.WORLDWIDE], env={"AUDITOR_ACCESS_TOKEN": token}
    )
    assert type(outside.credential).__name__ == "StaticTokenCredential"  # no workflow commands outside Actions


def test_no_credential_found_names_each_one_tried_and_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from azure.identity import AzureCliCredential, ChainedTokenCredential, EnvironmentCredential

    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_USERNAME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `az` here: the Azure CLI credential is unavailable
    chain = ChainedTokenCredential(EnvironmentCredential(), AzureCliCredential())
    with pytest.raises(AuthError) as caught:
        get_access_token(chain, "https://graph.microsoft.com/.default", "azure-identity DefaultAzureCredential")
    message = str(caught.value)
    assert "tried, in order: EnvironmentCredential, AzureCliCredential." in message
    assert "`az login --tenant <your tenant>`" in message and "AUDITOR_ACCESS_TOKEN" in message
