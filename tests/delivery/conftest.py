"""Fixtures for delivery tests: a written report directory, a real SMTP server on loopback, a self-signed CA."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from auditor.common.run_record import RunKind, record
from auditor.rules.assignments import SkuForbidden
from auditor.rules.hygiene.accounts import InactiveUserLicensed

REPORT = {
    "schema_version": 5,
    "tool": {"name": "license-auditor", "version": "0.1.0"},
    "tenant": {"id": "11111111-2222-3333-4444-555555555555", "name": "Contoso", "cloud": "worldwide"},
    "generated_at": "2026-11-22T03:00:00Z",
    "as_of": "2026-11-22T03:00:00Z",
    "collected_at": "2026-11-22T02:59:00Z",
    "policies": ["contoso-baseline"],
    "locale": "en",
    "complete": True,
    "gaps": [],
    "not_evaluated": [],
    "warnings": [],
    "summary": {
        "total": 12,
        "unwaived": 11,
        "waived": 1,
        "by_severity": {"critical": 0, "high": 2, "medium": 9, "low": 0},
        "by_rule": {SkuForbidden.id: 2, InactiveUserLicensed.id: 9},
        "unused_monthly_cost": {"amount": 1240.0, "currency": "EUR"},
        "reclaimable_monthly_cost": {"amount": 320.0, "currency": "EUR"},
        "users": {"total": 230, "licensed": 190},
    },
    "skus": [],
    "findings": [],
}
# the digest (the e-mail's body, as auditor.report.write.render writes it) and the full report it is a digest of
HTML = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Audit</title></head>\n'
    '<body class="report"><h1>License audit: Contoso</h1><p>2 high — Ærø Ünïcode</p></body></html>\n'
)
TEXT = "License audit: Contoso\n\nFindings need attention (2 high)\n"
REPORT_HTML = "<!DOCTYPE html>\n<html><body><h1>Full report: Contoso</h1></body></html>\n"
MARKDOWN = "# License audit: Contoso\n\n| severity | count |\n| --- | --- |\n| high | 2 |\n"
CSV = "id,rule,severity,upn\r\na1b2,sku-forbidden,high,x@contoso.example\r\n"


def write_report(
    directory: Path,
    report: dict[str, Any] | None = None,
    *,
    html: bool = True,
    md: bool = True,
    csv: str | bytes | None = CSV,
) -> Path:
    """A report directory as `audit` writes it: `html` writes report.html and the digest.html,
    `md` report.md and digest.txt."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report or REPORT), encoding="utf-8")
    if html:
        (directory / "report.html").write_text(REPORT_HTML, encoding="utf-8")
        (directory / "digest.html").write_text(HTML, encoding="utf-8")
    if md:
        (directory / "report.md").write_text(MARKDOWN, encoding="utf-8")
        (directory / "digest.txt").write_text(TEXT, encoding="utf-8")
    if csv is not None:
        data = csv.encode("utf-8") if isinstance(csv, str) else csv
        (directory / "findings.csv").write_bytes(data)
    return recorded(directory)


def recorded(directory: Path) -> Path:
    """`directory` with its run.json, as a run records its files last (auditor.common.run_record): every file there."""
    record(directory, RunKind.TENANT, [p for p in directory.iterdir() if p.is_file() and p.name != "run.json"])
    return directory


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    return write_report(tmp_path / "reports")


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests that need these set them; a developer's shell or CI must not leak into the others.
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "SMTP_USERNAME", "SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Recorder:
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        assert envelope.content is not None
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 OK queued"


@dataclass
class Credentials:
    username: str
    password: str

    def __call__(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.username.encode()
            and auth_data.password == self.password.encode()
        )
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder


@contextmanager
def smtp_server(**smtp_kwargs: Any) -> Iterator[SmtpServer]:
    recorder = Recorder(refuse=set(smtp_kwargs.pop("refuse", ())))
    ssl_context = smtp_kwargs.pop("ssl_context", None)
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        ssl_context=ssl_context,
        server_hostname="localhost",
        ready_timeout=120,  # a guard against a hang: the server starts however slowly a busy machine runs
        **smtp_kwargs,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, recorder)
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Callable[..., Any]:
    return smtp_server


@dataclass(frozen=True)
class Tls:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1 / localhost, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Tls(cert_path, key_path)
