"""The vendors' credentials are typed (issue 119): no signature of the vendors' Protocols takes or gives the
MSP's keys as `Any`. A vendor reads its keys from the environment (`credentials(env)`, a UsageError naming
what is missing) and its session, desk or invoice reader reads them there again: the keys never leave its folder."""

from __future__ import annotations

import typing
from collections.abc import Callable

import pytest

from auditor.vendors.opened import Opens
from auditor.vendors.protocols import PSA, DistributorApi, InvoiceReader

CALLS: list[tuple[str, Callable[..., object]]] = [
    ("DistributorApi.credentials", DistributorApi.credentials),
    ("DistributorApi.session", DistributorApi.session),
    ("InvoiceReader.__call__", InvoiceReader.__call__),
    ("PSA.credentials", PSA.credentials),
    ("PSA.session", PSA.session),
    ("PSA.desk", PSA.desk),
    ("Opens.credentials", Opens.credentials),
    ("Opens.session", Opens.session),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_no_vendor_signature_takes_or_gives_credentials_as_any(name: str, call: Callable[..., object]) -> None:
    hints = typing.get_type_hints(call)
    untyped = sorted(k for k, v in hints.items() if v is typing.Any)
    assert not untyped, f"{name}: {untyped} typed Any"
    assert "keys" not in hints, f"{name}: the keys leave the vendor's folder"
