"""Each vendor's own flags, as the commands add them and read them back: the URL it is read and written
at (--<key>-endpoint: another region's site, a stand-in) and a distributor's invoice to the partner
(--<key>-invoice). Each vendor declares its own (its `flags`, auditor.vendors.protocols.Flags), and the
commands' argument builders add and read them through here, in the registry's order: a new vendor adds
no flag outside its folder and its registry line.

    add_endpoints(parser, vendors, help)    each of `vendors`' --<key>-endpoint, with the help `help` picks
    endpoints(args)                         every vendor's URL of the command's flags, by its key
                                            (None: not given, or a flag the command lacks)
    set_endpoints(args, urls)               those flags set to `urls` (the demo's stand-ins)
    add_invoices(parser)                    each distributor's --<key>-invoice (audit --tenants)
    invoices(args)                          the invoices asked, by the distributor's key (given ones only)
    sends()                                 what `apply --distributor` sends each distributor (its help)
    named(sep)                              the distributors' names, joined by `sep` (the flags' help)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from auditor.vendors.protocols import PSA, Distributor, Flags
from auditor.vendors.registry import DISTRIBUTORS, PSAS

INVOICE_METAVAR = "ID|latest"


def _every() -> list[Distributor | PSA]:
    return [*DISTRIBUTORS.values(), *PSAS.values()]


def add_endpoints(parser: Any, vendors: Iterable[Distributor | PSA], help: Callable[[Flags], str]) -> None:
    """--<key>-endpoint URL of each of `vendors` that has one, on `parser` (an argument group too)."""
    for vendor in vendors:
        if vendor.flags.endpoint:
            parser.add_argument(vendor.flags.endpoint, metavar="URL", help=help(vendor.flags))


def endpoints(args: argparse.Namespace) -> dict[str, str | None]:
    """Every vendor's URL of the command's flags, by the vendor's key (None: its own)."""
    return {
        vendor.key: getattr(args, Flags.dest(vendor.flags.endpoint), None)
        for vendor in _every()
        if vendor.flags.endpoint
    }


def set_endpoints(args: argparse.Namespace, urls: Mapping[str, str]) -> None:
    """Each vendor's --<key>-endpoint in `args` set to its URL in `urls` (the demo's stand-ins)."""
    for key, url in urls.items():
        vendor = DISTRIBUTORS.get(key) or PSAS[key]
        setattr(args, Flags.dest(vendor.flags.endpoint), url)


def add_invoices(parser: Any) -> None:
    """--<key>-invoice ID|latest of each distributor that invoices the partner through its API."""
    for vendor in DISTRIBUTORS.values():
        if vendor.flags.invoice:
            parser.add_argument(vendor.flags.invoice, metavar=INVOICE_METAVAR, help=vendor.flags.invoice_help)


def invoices(args: argparse.Namespace) -> dict[str, str]:
    """The distributors' invoices the command asks for (an ID, or `latest`), by the distributor's key."""
    asked = {
        key: getattr(args, Flags.dest(d.flags.invoice), None) for key, d in DISTRIBUTORS.items() if d.flags.invoice
    }
    return {key: str(given) for key, given in asked.items() if given}


def sends() -> str:
    """What `apply --distributor` sends each distributor, and the keys it reads: "Pax8: ...; Sherweb: ..."."""
    return "; ".join(d.flags.sends for d in DISTRIBUTORS.values() if d.flags.sends)


def named(sep: str) -> str:
    """The distributors' names, in the registry's order ("Pax8, Sherweb" with sep ", ")."""
    return sep.join(d.name for d in DISTRIBUTORS.values())
