"""How to deliver a report: transport, recipients and settings (secrets come from the environment, never from here)."""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.common.errors import UsageError

if TYPE_CHECKING:
    from kiota_abstractions.request_adapter import RequestAdapter

# Deliberately plain: one mailbox, no display name, no comments, nothing that could carry a header.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9-]+)*\Z"
)

SMTP_ATTACHMENT_LIMIT = 10_000_000  # bytes of CSV; most relays accept 10-25 MB messages
GRAPH_ATTACHMENT_LIMIT = 3 * 1024 * 1024  # Graph: attachments under 3 MB may be sent inline
GRAPH_REQUEST_LIMIT = 4_000_000  # Graph: a sendMail request must stay under 4 MB


def is_loopback(host: str) -> bool:
    """Whether `host` (a name, an IPv4 or an [IPv6] address) is this machine: the one place where a
    password over plain SMTP, or a webhook over plain http, stays on the machine (tests, a local relay)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Transport(enum.Enum):
    SMTP = "smtp"
    GRAPH = "graph"


class SmtpSecurity(enum.Enum):
    NONE = "none"  # plain SMTP; credentials are refused unless the relay is on loopback
    STARTTLS = "starttls"
    SSL = "ssl"  # implicit TLS (SMTPS)

    @property
    def default_port(self) -> int:
        return {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465}[self]


@dataclass(frozen=True)
class EmailOptions:
    """Everything `send_report` needs besides the report directory.

    SMTP credentials are read from SMTP_USERNAME / SMTP_PASSWORD at send time. For Graph, the CLI
    passes `graph_adapter_factory`, which builds a request adapter from the audit's own credential;
    it is called inside the event loop that sends.
    """

    recipients: tuple[str, ...]
    via: Transport = Transport.SMTP
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: SmtpSecurity = SmtpSecurity.NONE
    smtp_ca_file: Path | None = None
    smtp_timeout: float = 30.0
    from_address: str | None = None
    sender: str | None = None
    attachment_limit: int | None = None  # None: the transport's own limit
    graph_adapter_factory: Callable[[], RequestAdapter] | None = None

    def __post_init__(self) -> None:
        if not self.recipients:
            raise UsageError("no e-mail recipients: give at least one --to address")
        for address in self.recipients:
            check_address(address, "recipient")
        if self.from_address is not None:
            check_address(self.from_address, "--from")
        if self.sender is not None:
            check_address(self.sender, "--sender")
        if self.via is Transport.SMTP:
            if not self.smtp_host:
                raise UsageError("--smtp-host is required to send e-mail over SMTP (or use --via graph --sender)")
            if not self.from_address:
                raise UsageError("--from is required to send e-mail over SMTP")
        elif not self.sender:
            raise UsageError("--sender MAILBOX is required to send e-mail through Microsoft Graph")
        if self.smtp_port is not None and not 0 < self.smtp_port < 65536:
            raise UsageError(f"--smtp-port {self.smtp_port}: not a TCP port")

    @property
    def port(self) -> int:
        return self.smtp_port or self.smtp_security.default_port

    @property
    def effective_attachment_limit(self) -> int:
        if self.attachment_limit is not None:
            return self.attachment_limit
        return GRAPH_ATTACHMENT_LIMIT if self.via is Transport.GRAPH else SMTP_ATTACHMENT_LIMIT


def check_address(address: str, what: str) -> str:
    if not _ADDRESS.match(address) or len(address) > 254:
        raise UsageError(f"{what} {address!r}: not a plain e-mail address (name@domain)")
    return address


def split_addresses(values: Iterable[str]) -> tuple[str, ...]:
    """Accept `--to a@x --to b@y` as well as `--to "a@x, b@y"` (handy for CI inputs); keep order, drop repeats."""
    seen: dict[str, None] = {}
    for value in values:
        for part in re.split(r"[,;\s]+", value):
            if part:
                seen.setdefault(part, None)
    return tuple(seen)
