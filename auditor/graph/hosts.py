"""Where plain http may go: the loopback only, as the SDK's auth provider allows (a local Graph
emulator). Light: read by plan.json's checker without loading the SDK."""

from __future__ import annotations

LOOPBACK = frozenset(("localhost", "127.0.0.1", "::1"))
