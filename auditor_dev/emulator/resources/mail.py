"""POST /users/{id|upn}/sendMail: checked the way Graph checks the fields the auditor sends."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..call import Answer, Call, Emulator
from ..errors import GraphError, bad


def send_mail(em: Emulator, call: Call) -> Answer:
    sender_key = call.params["user"]
    sender = em.tenant.user(sender_key)
    if sender is None:
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{sender_key}' is invalid.")
    try:
        doc = json.loads(call.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad("Unable to read JSON request payload.", "RequestBodyRead") from None
    message = check_mail(doc)
    save = doc.get("saveToSentItems", True)
    em.record_mail(sender.user_principal_name, message, bool(save))
    return 202, None


def check_mail(doc: Any) -> dict[str, Any]:
    """Validate a sendMail body the way Graph does for the fields the auditor sends."""
    if not isinstance(doc, dict) or not isinstance(doc.get("message"), dict):
        raise bad("Empty Payload. JSON content expected.", "ErrorInvalidRequest")
    unknown = set(doc) - {"message", "saveToSentItems"}
    if unknown:
        raise bad(
            f"The property '{sorted(unknown)[0]}' does not exist on type 'microsoft.graph.sendMail'.", "RequestBodyRead"
        )
    if "saveToSentItems" in doc and not isinstance(doc["saveToSentItems"], bool):
        raise bad("saveToSentItems must be a boolean.", "RequestBodyRead")
    message: dict[str, Any] = doc["message"]
    if not isinstance(message.get("subject", ""), str):
        raise bad("subject must be a string.", "RequestBodyRead")
    body = message.get("body")
    if body is not None:
        if not isinstance(body, dict) or not isinstance(body.get("content", ""), str):
            raise bad("body must be an itemBody with string content.", "RequestBodyRead")
        if str(body.get("contentType", "text")).lower() not in ("text", "html"):
            raise bad(f"Requested value '{body.get('contentType')}' was not found.", "RequestBodyRead")
    recipients = 0
    for key in ("toRecipients", "ccRecipients", "bccRecipients"):
        value = message.get(key, [])
        if not isinstance(value, list):
            raise bad(f"{key} must be a collection of recipients.", "RequestBodyRead")
        for r in value:
            address = r.get("emailAddress", {}).get("address") if isinstance(r, dict) else None
            if not isinstance(address, str) or "@" not in address:
                raise bad("At least one recipient is not valid.", "ErrorInvalidRecipients")
            recipients += 1
    if recipients == 0:
        raise bad("At least one recipient is required, but none were found.", "ErrorInvalidRecipients")
    for att in message.get("attachments", []) or []:
        if not isinstance(att, dict) or att.get("@odata.type") != "#microsoft.graph.fileAttachment":
            raise bad("Attachments must be #microsoft.graph.fileAttachment.", "RequestBodyRead")
        try:
            base64.b64decode(att.get("contentBytes", ""), validate=True)
        except (binascii.Error, TypeError):
            raise bad("contentBytes is not valid base64.", "RequestBodyRead") from None
    return message
