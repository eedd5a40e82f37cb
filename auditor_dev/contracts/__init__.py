"""The vendors' published contracts, held against every request a client sends to a loopback stand-in
(or the Graph emulator) and every answer one gives.

A stand-in written by the same hands as the client it serves agrees with that client and proves
nothing: where both read a vendor wrong, the suite stays green. So each stand-in checks the traffic it
sees against the subset of the vendor's own published schema kept in this package (each file names its
source, commit and date), and what falls outside it is recorded here as a violation.

A violation is recorded, never raised: the stand-in still answers, so the client meets what it would
meet, and the test that caused it fails when it ends (tests/conftest.py, `_vendor_contracts`). A child
process (the command line a test starts) records into the file named by `VIOLATIONS_FILE` in its
environment, which that fixture sets for every test; a test that sends or serves something outside a
contract on purpose says so with `@pytest.mark.off_contract(reason)`, and then must meet one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

VIOLATIONS_FILE = "LICENSE_AUDITOR_CONTRACT_VIOLATIONS"  # the environment variable naming the file

_lock = threading.Lock()
_seen: list[str] = []


def record(contract: str, where: str, message: str) -> None:
    """Record that traffic at `where` (a method and path, "answer to GET /x") broke `contract`."""
    line = f"{contract}: {where}: {message}".replace("\n", " ")
    with _lock:
        _seen.append(line)
        path = os.environ.get(VIOLATIONS_FILE)
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(line + "\n")


def seen() -> list[str]:
    """The violations this process recorded since it started or `forget()` was last called."""
    with _lock:
        return list(_seen)


def forget() -> None:
    with _lock:
        _seen.clear()


def check_request(contract: str, method: str, path: str, query: Mapping[str, str], body: object) -> None:
    """Record what of a request a client sent to `contract`'s stand-in falls outside its published schema."""
    from auditor_dev.contracts import openapi  # jsonschema and the documents: loaded when first asked

    held = openapi.load(contract)
    if held.exempt(method, path):
        return
    try:
        problems = held.check_request(method, path, query, body)
    except RecursionError:  # a body nested past what a validator walks: no vendor's schema nests so deep
        problems = ["a body nested too deep to hold to the published schema"]
    for problem in problems:
        record(contract, f"{method} {path}", problem)


def check_answer(contract: str, method: str, path: str, status: int, body: object) -> None:
    """Record what of a stand-in's answer to `method path` falls outside `contract`'s published schema."""
    from auditor_dev.contracts import openapi

    held = openapi.load(contract)
    if held.exempt(method, path):
        return
    try:
        problems = held.check_answer(method, path, status, body)
    except RecursionError:
        problems = ["an answer nested too deep to hold to the published schema"]
    for problem in problems:
        record(contract, f"answer {status} to {method} {path}", problem)
