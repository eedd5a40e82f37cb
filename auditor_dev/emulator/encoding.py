"""The emulator's wire encoding of JSON answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RawJSON:
    """JSON text the response writer embeds as is (a page's `value` array from EncodedItems)."""

    data: bytes


def dumps(doc: object) -> bytes:
    """The emulator's wire encoding: compact, UTF-8, non-ASCII kept (EncodedItems must match it)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def encode(doc: Any) -> bytes:
    value = doc.get("value") if isinstance(doc, dict) else None
    if isinstance(value, RawJSON):
        head = dumps({k: v for k, v in doc.items() if k != "value"})
        return head[:-1] + b',"value":' + value.data + b"}"
    return dumps(doc)
