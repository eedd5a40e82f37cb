"""One HTTP client for the tests' own requests to the stand-ins on 127.0.0.1.

`httpx.get()` builds a client, and with it a TLS context that loads the CA bundle, on every call: about 0.1 s
each, which made a test of 700 requests spend 90 of its 110 s there. One client, kept for the session, pays it
once and keeps its connections open.
"""

from __future__ import annotations

import httpx

http = httpx.Client(timeout=30)
