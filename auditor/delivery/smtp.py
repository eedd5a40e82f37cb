"""Send a `ReportMail` over SMTP (plain, STARTTLS or implicit TLS) with smtplib."""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from auditor.common.errors import DeliveryError, UsageError

from .content import ReportMail, html_or_text
from .options import EmailOptions, SmtpSecurity, is_loopback

# RFC 5322's hard limit. At the default 78, Python folds a subject that starts with "[" before its first
# word, and Python's own parser then reads the subject back with a leading space.
SMTP_POLICY = SMTP.clone(max_line_length=998)
# The readable parts go quoted-printable, at RFC 2045's 76 characters a line, with a line's leading
# "From " written "=46rom ": smtplib's send_message flattens with mangle_from_, which writes such a
# line of an 8-bit body as ">From " (mbox escaping), and the reader would see "> From Mar 18, 2027".
BODY_POLICY = SMTP.clone(max_line_length=76)
_FROM_AT_LINE_START = re.compile(r"^From ", re.MULTILINE)


def to_mime(mail: ReportMail, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    """multipart/mixed [ multipart/alternative [text/plain, text/html], the report, the CSV, calendar entries ]."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(idstring="license-auditor", domain=sender.rpartition("@")[2])
    # A machine-sent report: ask auto-responders and Exchange out-of-office replies to stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.make_alternative()
    message.attach(_readable_part(mail.text, "plain"))
    message.attach(_readable_part(html_or_text(mail), "html"))
    for entry in mail.attachments():
        maintype, _, subtype = entry.content_type.partition("/")
        message.add_attachment(entry.data, maintype=maintype, subtype=subtype, filename=entry.filename)
    return message


def _readable_part(text: str, subtype: str) -> EmailMessage:
    """text/SUBTYPE in UTF-8, quoted-printable, with no line that a generator escapes."""
    part = EmailMessage(policy=BODY_POLICY)
    part.set_content(text, subtype=subtype, charset="utf-8", cte="quoted-printable")
    del part["MIME-Version"]  # a part's headers are its content's; the message has its own
    part.set_payload(_FROM_AT_LINE_START.sub("=46rom ", str(part.get_payload())))
    return part


def _reply(code: int, text: bytes | str) -> str:
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(decoded.split())}"[:300]


def send_smtp(mail: ReportMail, options: EmailOptions, environ: Mapping[str, str]) -> None:
    host = options.smtp_host or ""
    where = f"SMTP server {host}:{options.port}"
    username, password = _credentials(host, options, environ)
    sender = options.from_address or ""
    context = _tls_context(options)
    client: smtplib.SMTP | None = None
    try:
        client = _connect(host, options, context, where)
        if username:
            if not client.has_extn("auth"):
                raise DeliveryError(f"{where} does not offer AUTH but SMTP_USERNAME is set; the report was not sent")
            client.login(username, password)
        message = _within_size(client, mail, sender, options.recipients, where)
        refused = client.send_message(message, from_addr=sender, to_addrs=list(options.recipients))
    except DeliveryError:
        raise
    except ssl.SSLError as exc:  # (an OSError: first)
        raise _tls_failure(exc, where) from None
    except smtplib.SMTPException as exc:  # (an OSError too)
        raise _smtp_failure(exc, where, sender) from None
    except OSError as exc:
        raise _network_failure(exc, where, host, options.smtp_timeout) from None
    finally:
        if client is not None:
            _quit_quietly(client)
    if refused:
        details = "; ".join(f"{rcpt}: {_reply(*reply)}" for rcpt, reply in sorted(refused.items()))
        accepted = len(options.recipients) - len(refused)
        raise DeliveryError(
            f"{where} delivered to {accepted} of {len(options.recipients)} recipients; refused {details}"
        )


def _credentials(host: str, options: EmailOptions, environ: Mapping[str, str]) -> tuple[str, str]:
    """SMTP_USERNAME and SMTP_PASSWORD (both, or neither), sent only over TLS or to this machine."""
    username = environ.get("SMTP_USERNAME") or ""
    password = environ.get("SMTP_PASSWORD") or ""
    if bool(username) != bool(password):
        raise UsageError("set both SMTP_USERNAME and SMTP_PASSWORD, or neither")
    if username and options.smtp_security is SmtpSecurity.NONE and not is_loopback(host):
        raise UsageError(f"refusing to send SMTP credentials to {host} without TLS: add --smtp-starttls or --smtp-ssl")
    return username, password


def _tls_context(options: EmailOptions) -> ssl.SSLContext | None:
    if options.smtp_security is SmtpSecurity.NONE:
        return None
    try:
        cafile = str(options.smtp_ca_file) if options.smtp_ca_file else None
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"--smtp-ca-file {options.smtp_ca_file}: cannot load certificates: {exc}") from None


def _connect(host: str, options: EmailOptions, context: ssl.SSLContext | None, where: str) -> smtplib.SMTP:
    """A greeted connection, in TLS when the options ask for it."""
    if options.smtp_security is SmtpSecurity.SSL:
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, options.port, timeout=options.smtp_timeout, context=context)
    else:
        client = smtplib.SMTP(host, options.port, timeout=options.smtp_timeout)
    try:
        client.ehlo()
        if options.smtp_security is SmtpSecurity.STARTTLS:
            if not client.has_extn("starttls"):
                raise DeliveryError(f"{where} does not offer STARTTLS; the report was not sent")
            client.starttls(context=context)
            client.ehlo()
    except BaseException:
        _quit_quietly(client)
        raise
    return client


def _tls_failure(exc: ssl.SSLError, where: str) -> DeliveryError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(
            f"{where}: TLS certificate not trusted ({exc.verify_message}); pass --smtp-ca-file for a private CA"
        )
    return DeliveryError(f"{where}: TLS handshake failed ({exc.reason or exc})")


def _smtp_failure(exc: smtplib.SMTPException, where: str, sender: str) -> DeliveryError:
    """The server's refusal in a sentence (the most specific kinds first: they are subclasses)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(f"{where} rejected the login of SMTP_USERNAME ({_reply(exc.smtp_code, exc.smtp_error)})")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused_all = "; ".join(f"{rcpt}: {_reply(*reply)}" for rcpt, reply in sorted(exc.recipients.items()))
        return DeliveryError(f"{where} refused every recipient ({refused_all})")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return DeliveryError(f"{where} refused sender {sender} ({_reply(exc.smtp_code, exc.smtp_error)})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"{where}: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryError(f"{where} refused the message ({_reply(exc.smtp_code, exc.smtp_error)})")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"{where} closed the connection unexpectedly")
    return DeliveryError(f"{where}: {' '.join(str(exc).split())}")


def _network_failure(exc: OSError, where: str, host: str, timeout: float) -> DeliveryError:
    if isinstance(exc, ConnectionRefusedError):
        return DeliveryError(f"cannot connect to {where}: connection refused")
    if isinstance(exc, socket.gaierror):
        return DeliveryError(f"cannot resolve SMTP host {host}: {exc.strerror}")
    if isinstance(exc, TimeoutError):
        return DeliveryError(f"{where} did not answer within {timeout:g} s")
    return DeliveryError(f"cannot talk to {where}: {exc.strerror or exc}")


def _within_size(
    client: smtplib.SMTP, mail: ReportMail, sender: str, recipients: tuple[str, ...], where: str
) -> EmailMessage:
    """The message, shrunk (without the report, then the CSV, then text only) to fit the relay's
    advertised SIZE (RFC 1870);
    DeliveryError when even the plain text is too large, rather than a refusal after upload."""
    try:
        limit = int(client.esmtp_features.get("size", "0") or 0) if client.does_esmtp else 0
    except ValueError:
        limit = 0
    message = to_mime(mail, sender, recipients)
    if not limit:
        return message
    size = 0
    for version in mail.smaller(f"the message would exceed the server's {limit / 1_000_000:.1f} MB limit"):
        message = to_mime(version, sender, recipients)
        size = len(message.as_bytes())
        if size <= limit:
            return message
    raise DeliveryError(
        f"{where}: message too large ({size:,} bytes even as plain text; the server accepts at most "
        f"{limit:,}); the report was not sent — read it from the report directory or the CI run"
    )


def _quit_quietly(client: smtplib.SMTP) -> None:
    # The message is already accepted (or the error already chosen); a rude goodbye changes nothing.
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
