"""A customer's mapping is proven, not written (docs/msp.md, "Which customer is the tenant's"): a tenants
entry's `distributor:` or `psa:` block names a customer at a vendor, and a copied or mis-ordered line names
another customer's. Where the vendor's own records bind the customer to the tenant (Pax8: its subscriptions
name the tenant's Microsoft subscriptions) that binding holds it; where they do not (Sherweb, the PSAs), the
mapping the MSP confirmed once is kept, with the vendor's own record of the customer (its name there:
auditor.vendors.registry.RECORDS, each vendor's mapping.py), and every later run and write is held to it.

    Book.load(folder)       the mappings kept in FOLDER/mappings.json (the output folder, as the audit keeps
                            its other files there); a file that cannot be read is every customer's gap
    book.prove(...)         why a vendor's customer is not proven the tenant's, else None: a tenant whose
                            kept customer at the vendor is another; a customer kept as another tenant's; the
                            vendor's record of it that cannot be read or differs from the one kept (its
                            name changed); the first time, with `keep`, the mapping is kept (trust on
                            first use) and named in `book.first`
    book.save()             the file written again (atomically) when a mapping was kept; why it could not be
    Proof                   a Book with each entry's tenant by its key, as a read of many tenants proves them

(Two entries of one tenants file naming one customer are refused as the file is read: auditor.delivery.matrix.)

A customer not proven is a named gap: its part of the report is the gap, and nothing is written, bought,
put back or filed for it. A changed mapping is confirmed by removing its line from the file (the message
names it) and running again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from auditor.common import shapes
from auditor.common.errors import console_line
from auditor.common.outputs import write_text
from auditor.vendors.protocols import DistributorError, PsaError
from auditor.vendors.registry import NAMES, RECORDS

FILE = "mappings.json"
_GUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\Z")
_AGAIN = "if the tenants file is right, remove that line from {path} and run again"


class Kept(msgspec.Struct, frozen=True):
    """One confirmed mapping: the tenant (its id, or the domain its tenants entry names it by), its customer at
    the vendor (the registry's key) and the vendor's name for that customer then; since when (UTC)."""

    vendor: str
    tenant: str
    customer: str
    name: str
    since: str = ""


class _File(msgspec.Struct, frozen=True):
    schema: int
    mappings: list[Kept]


@dataclass
class Book:
    """The mappings kept in one output folder."""

    path: Path
    kept: list[Kept] = field(default_factory=list)
    unreadable: str = ""  # why the file could not be read: then no customer is proven
    changed: bool = False
    first: list[str] = field(default_factory=list)  # the mappings kept for the first time in this run, named

    @classmethod
    def load(cls, folder: Path) -> Book:
        path = folder / FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            return cls(path, unreadable=f"{path} cannot be read ({type(exc).__name__})")
        try:
            return cls(path, list(shapes.decode(data, _File).mappings))
        except (msgspec.DecodeError, msgspec.ValidationError):
            return cls(path, unreadable=f"{path} is not a file of confirmed mappings")

    def prove(
        self, vendor: str, session: object, customer: str, tenant: Iterable[str], *, keep: bool, since: str
    ) -> str | None:
        """Why `customer` at `vendor` (its registry key), as a tenants entry names it, is not proven the
        tenant's (`tenant`: its id and the names it is known by), else None (a vendor whose own records
        bind it otherwise has no reader here: None). `session`: the run's session at the vendor."""
        reader = RECORDS.get(vendor)
        if reader is None:
            return None
        at = NAMES.get(vendor, vendor)
        if self.unreadable:
            return f"{self.unreadable}: the confirmed mapping of {at} customer {customer} is not known; restore it"
        try:  # the vendor's own record first: a customer it does not know is named as such
            record = reader(session, customer)
        except (DistributorError, PsaError) as exc:
            return str(exc)  # the vendor's own error (its customer unknown there, a status): the customer's gap
        names = {t.strip().lower() for t in tenant if t and t.strip()}
        same = customer.casefold()
        mine = [k for k in self.kept if k.vendor == vendor and k.tenant.lower() in names]
        other = next((k for k in mine if k.customer.casefold() != same), None)
        again = _AGAIN.format(path=self.path)
        if other is not None:
            return (
                f"the tenants entry names {at} customer {customer}, but the mapping confirmed {_since(other)}is "
                f"customer {other.customer} ({console_line(other.name)[:80]}): a changed mapping is not trusted; "
                f"{again}"
            )
        kept = (k for k in self.kept if k.vendor == vendor and k.tenant.lower() not in names)
        theirs = next((k for k in kept if k.customer.casefold() == same), None)
        if theirs is not None:
            return (
                f"{at} customer {customer} ({console_line(theirs.name)[:80]}) is the confirmed mapping of tenant "
                f"{theirs.tenant}, not this tenant's: {again}"
            )
        if mine:
            was = mine[0]
            if record.name != was.name:
                return (
                    f"{at}'s record of customer {customer} changed since the mapping was confirmed {_since(was)}"
                    f"(its name was {console_line(was.name)[:80]!r}, now {console_line(record.name)[:80]!r}): "
                    f"not trusted until confirmed; {again}"
                )
            return None
        if keep and names:
            named = next((n for n in sorted(names) if _GUID.match(n)), min(names))
            self.kept.append(Kept(vendor, named, record.customer, record.name, since))
            self.changed = True
            self.first.append(
                f"{at} customer {customer} ({console_line(record.name)[:80]}) kept as tenant {named}'s (first "
                f"seen: check it; {self.path})"
            )
        return None

    def save(self) -> str | None:
        """The file written again when a mapping was kept; why it could not be (the mappings kept the first
        time are then not kept: a write that rests on one is not made), else None."""
        if not self.changed:
            return None
        kept = sorted(self.kept, key=lambda k: (k.vendor, k.tenant, k.customer))
        doc = {"schema": 1, "mappings": [msgspec.to_builtins(k) for k in kept]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text(self.path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        except OSError as exc:
            return f"{self.path} could not be written ({exc.strerror or type(exc).__name__}): the mapping is not kept"
        self.changed = False
        return None


def _since(kept: Kept) -> str:
    return f"on {kept.since[:10]} " if kept.since else ""


class Proof:
    """What proves each tenant's customers in one read of many (Book.prove): the kept mappings
    (`book`), each entry's tenant by its key (its id and the names it is known by), whether a mapping
    seen the first time is kept, and the run's time (what a kept one records)."""

    def __init__(self, book: Book, tenants: Mapping[str, Collection[str]], *, keep: bool, since: str) -> None:
        self.book, self.tenants, self.keep, self.since = book, tenants, keep, since

    def why_not(self, vendor: str, session: object, customer: str, key: str) -> str | None:
        tenant = self.tenants.get(key, ())
        return self.book.prove(vendor, session, customer, tenant, keep=self.keep, since=self.since)
