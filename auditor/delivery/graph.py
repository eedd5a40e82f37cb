"""Send a `ReportMail` with Microsoft Graph: POST /users/{sender}/sendMail through a kiota request adapter.

The adapter is the one the audit used (msgraph-sdk's GraphRequestAdapter: auth, retries on 429/503,
national-cloud base URL), so e-mail goes out under the same credential. Graph's sendMail takes one
body, so the HTML report is sent without a plain-text alternative.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import TYPE_CHECKING, NotRequired, TypedDict

from auditor.common.errors import DeliveryError, UsageError

from .content import ReportMail, html_or_text
from .options import GRAPH_REQUEST_LIMIT, EmailOptions

if TYPE_CHECKING:
    from kiota_abstractions.request_adapter import RequestAdapter

SEND_MAIL_TEMPLATE = "{+baseurl}/users/{user%2Did}/sendMail"


class MailBody(TypedDict):
    contentType: str
    content: str


class Address(TypedDict):
    address: str


class Recipient(TypedDict):
    emailAddress: Address


FileAttachment = TypedDict("FileAttachment", {"@odata.type": str, "name": str, "contentType": str, "contentBytes": str})


class Message(TypedDict):
    subject: str
    body: MailBody
    toRecipients: list[Recipient]
    attachments: NotRequired[list[FileAttachment]]


class SendMail(TypedDict):
    """sendMail's request body (the fields sent)."""

    message: Message
    saveToSentItems: bool


def send_mail_body(mail: ReportMail, recipients: tuple[str, ...]) -> SendMail:
    """The documented sendMail request body; the copy is not kept in the sender's Sent Items."""
    message: Message = {
        "subject": mail.subject,
        "body": {"contentType": "html", "content": html_or_text(mail)},
        "toRecipients": [{"emailAddress": {"address": address}} for address in recipients],
    }
    files = mail.attachments()
    if files:
        message["attachments"] = [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": f.filename,
                "contentType": f.content_type,
                "contentBytes": base64.b64encode(f.data).decode("ascii"),
            }
            for f in files
        ]
    return {"message": message, "saveToSentItems": False}


def encode_within_limit(mail: ReportMail, recipients: tuple[str, ...], limit: int = GRAPH_REQUEST_LIMIT) -> bytes:
    """Serialise the request, dropping the attachment and then the full HTML when Graph would refuse the size."""
    payload = b""
    for version in mail.smaller(f"the message would exceed Graph's {limit / 1_000_000:.0f} MB request limit"):
        payload = json.dumps(send_mail_body(version, recipients), ensure_ascii=False).encode("utf-8")
        if len(payload) <= limit:
            return payload
    raise DeliveryError(f"the report is too large for a Graph sendMail request ({len(payload):,} bytes)")


async def _post(adapter: RequestAdapter, sender: str, payload: bytes) -> None:
    # the Graph SDK's parts: only a message sent through Graph loads them
    from kiota_abstractions.api_client_builder import register_default_deserializer
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation
    from kiota_abstractions.serialization import ParseNodeFactoryRegistry
    from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    # Graph's error bodies are JSON; GraphServiceClient registers this parser too, we may run before it did.
    if "application/json" not in ParseNodeFactoryRegistry().CONTENT_TYPE_ASSOCIATED_FACTORIES:
        register_default_deserializer(JsonParseNodeFactory)
    request = RequestInformation(Method.POST, SEND_MAIL_TEMPLATE, {"user%2Did": sender})
    request.headers.try_add("Accept", "application/json")
    request.set_stream_content(payload, "application/json")
    await adapter.send_no_response_content_async(request, {"XXX": ODataError})


def _graph_failure(exc: Exception, sender: str) -> DeliveryError:
    from kiota_abstractions.api_error import APIError  # the Graph SDK: only a message sent through Graph loads it

    request = f"Graph POST /users/{sender}/sendMail"
    if isinstance(exc, APIError):
        status = exc.response_status_code or 0
        detail = ""
        error = getattr(exc, "error", None)  # ODataError.error: MainError(code, message)
        if error is not None:
            detail = " ".join(f"{error.code or ''}: {error.message or ''}".split()).strip(": ")
        detail = detail or " ".join(str(exc.message or "").split())
        hint = ""
        if status == 403:
            hint = "; the app needs the Mail.Send application permission for this mailbox (see docs/email.md)"
        elif status == 404:
            hint = f"; is {sender} a mailbox in this tenant?"
        elif status == 401:
            hint = "; the credential was not accepted"
        return DeliveryError(f"{request} failed: HTTP {status} {detail[:300]}{hint}")
    name = type(exc).__name__
    text = " ".join(str(exc).split())[:300]
    if name == "ClientAuthenticationError":
        return DeliveryError(f"{request}: could not get a token: {text.splitlines()[0] if text else name}")
    return DeliveryError(f"{request}: {name}: {text}" if text else f"{request}: {name}")


def send_graph(mail: ReportMail, options: EmailOptions) -> None:
    sender = options.sender or ""
    factory = options.graph_adapter_factory
    if factory is None:
        raise UsageError("--via graph needs the Graph connection flags (--tenant-id, --auth, ...) to sign in")
    payload = encode_within_limit(mail, options.recipients)

    async def run() -> None:
        adapter = factory()
        await _post(adapter, sender, payload)

    try:
        asyncio.run(run())
    except (DeliveryError, UsageError):
        raise
    except Exception as exc:  # every failure of the HTTP stack becomes one line; nothing is swallowed
        raise _graph_failure(exc, sender) from None
