"""The Graph client's HTTP stack asks for no module it cannot find on every request: httpcore runs
`import sniffio` for each lock, event and semaphore a request sets up, and a failed import is not
cached, so without sniffio installed each request searched sys.path again (a fifth of `audit
--tenants`' CPU in the 1,000-tenant night: docs/performance.md). pyproject.toml requires it."""

from __future__ import annotations

import asyncio
import importlib.util

from httpcore._synchronization import current_async_library


def test_httpcore_finds_sniffio_so_its_import_is_a_lookup() -> None:
    assert importlib.util.find_spec("sniffio") is not None

    async def asked() -> str:
        return current_async_library()

    assert asyncio.run(asked()) == "asyncio"
