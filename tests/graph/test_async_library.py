"""httpcore finds the async library without searching for a module that is not there.

httpcore asks `import sniffio` which async library runs each time it makes a lock or shields a close
(several times a request). anyio 4 no longer brings sniffio, and an import that fails is not
remembered: each call searched sys.path again (2,897 calls in an audit of 100,000 users;
docs/performance.md). The auditor depends on sniffio, so the import is found once and kept."""

from __future__ import annotations

import asyncio
import sys

from httpcore._synchronization import current_async_library


def test_httpcore_finds_the_async_library_once() -> None:
    async def ask() -> str:
        return current_async_library()

    assert asyncio.run(ask()) == "asyncio"
    assert "sniffio" in sys.modules  # found and kept: the next call imports nothing
