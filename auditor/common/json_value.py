"""A JSON value, typed: what json.loads / orjson.loads give and json.dumps writes, without Any.

    JsonValue    str | int | float | bool | None | a sequence of JsonValue | a mapping of str to JsonValue
    JsonObject   a JSON object (a policy's JSON-Schema fragment, a parsed object read field by field)

Mapping and Sequence (not dict and list) so a literal such as {"type": "string"} or a tuple of names is one:
a reader narrows each value with isinstance before it uses it, as mypy then requires."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

JsonValue: TypeAlias = "str | int | float | bool | Sequence[JsonValue] | Mapping[str, JsonValue] | None"
JsonObject: TypeAlias = "Mapping[str, JsonValue]"
