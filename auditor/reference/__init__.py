"""Microsoft's "Product names and service plan identifiers for licensing" table, shipped as data.

`product-names-and-service-plans.csv` beside this module is Microsoft's published CSV (one row per
product x service plan; source and date in README.md here; `python -m auditor.reference.refresh`
replaces it). It gives reports the product names admins know ("Microsoft 365 E3" for SPE_E3) and
the names of service plans. The policy's `catalog[].name` wins over this table; a SKU the table
does not know keeps its part number.

Read lazily, once per process: audits that never name a product do not pay for reading it. The
lookups parse() builds from the CSV ship beside it, ready made, in `product-names.json` (written with
the CSV by the refresh, `derived()`): loading them takes a tenth of the time of parsing the CSV. That
file names the size and CRC-32 of the CSV it was built from (a check against a CSV replaced by hand
or a stale file, not against tampering: whoever can change one package file can change both); when
the CSV beside it is another one, the CSV is parsed instead.
"""

from __future__ import annotations

import csv
import json
import zlib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

DATA_FILE = "product-names-and-service-plans.csv"
DERIVED_FILE = "product-names.json"
COLUMNS = (
    "Product_Display_Name",
    "String_Id",
    "GUID",
    "Service_Plan_Name",
    "Service_Plan_Id",
    "Service_Plans_Included_Friendly_Names",
)


# Products Microsoft's table does not list, by part number: the name Microsoft's pages give them
# (a tenant's subscribedSkus gives only the part number, which the reports would show instead)
NOT_IN_TABLE = {"CROSS_TENANT_USER_DATA_MIGRATION": "Cross Tenant User Data Migration"}


@dataclass(frozen=True)
class ProductNames:
    """Names by skuId (lower-case GUID) and by skuPartNumber (upper-case); plan names by id and by name."""

    by_sku_id: dict[str, str]
    by_part: dict[str, str]
    plan_by_id: dict[str, str]
    plan_by_name: dict[str, str]
    # skuId (lower-case GUID) -> its service plans as (servicePlanId lower-case, servicePlanName)
    plans_by_sku_id: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # skuPartNumber (upper-case) -> skuId (lower-case GUID), the first the table lists
    sku_id_by_part: dict[str, str] = field(default_factory=dict)

    def product(self, sku_id: str | None = None, part: str | None = None) -> str | None:
        """The product's display name: by skuId first (part numbers are not unique across
        clouds and renames), then by part number; None when the table does not know it."""
        if sku_id:
            name = self.by_sku_id.get(sku_id.strip().lower())
            if name:
                return name
        if not part:
            return None
        key = part.strip().upper()
        return self.by_part.get(key) or NOT_IN_TABLE.get(key)

    def sku_id(self, part: str) -> str | None:
        """The skuId (lower-case GUID) of a part number as the table lists it; None when it does not
        know it (a policy may name a product the tenant does not subscribe to by its part number)."""
        return self.sku_id_by_part.get(part.strip().upper())

    def plan(self, plan_id: str | None = None, plan_name: str | None = None) -> str | None:
        """A service plan's friendly name, by servicePlanId first, then servicePlanName."""
        if plan_id:
            name = self.plan_by_id.get(plan_id.strip().lower())
            if name:
                return name
        return self.plan_by_name.get(plan_name.strip().upper()) if plan_name else None

    def plans_of(self, sku_id: str) -> tuple[tuple[str, str], ...]:
        """A product's service plans as the table lists them (empty when it does not know the product)."""
        return self.plans_by_sku_id.get(sku_id.strip().lower(), ())


def parse(lines: list[str]) -> ProductNames:
    """Build the lookups from the CSV's lines. Cells are stripped (a few rows carry stray tabs).
    A plan appears under many products, not always spelled alike ("EXCHANGE ONLINE (PLAN 2)"
    beside "Exchange Online (Plan 2)"): each key takes its most frequent name, the first seen on a tie."""
    reader = csv.reader(lines)
    header = [c.strip() for c in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{DATA_FILE}: missing column(s) {', '.join(missing)}")
    at = [header.index(c) for c in COLUMNS]
    width = max(at) + 1
    # key -> {name: count}, in first-seen order (max() keeps the first of equal counts)
    votes: tuple[dict[str, dict[str, int]], ...] = ({}, {}, {}, {})
    plans: dict[str, dict[str, str]] = {}
    ids: dict[str, str] = {}
    for row in reader:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        product, part, guid, plan_name, plan_id, plan = (row[i].strip() for i in at)
        guid, plan_id = guid.lower(), plan_id.lower()
        for table, key, name in (
            (votes[0], guid, product),
            (votes[1], part.upper(), product),
            (votes[2], plan_id, plan),
            (votes[3], plan_name.upper(), plan),
        ):
            if key and name:
                counts = table.get(key)
                if counts is None:
                    table[key] = {name: 1}
                else:
                    counts[name] = counts.get(name, 0) + 1
        if guid and plan_id:
            plans.setdefault(guid, {})[plan_id] = plan_name
        if guid and part:
            ids.setdefault(part.upper(), guid)
    by_sku_id, by_part, plan_by_id, plan_by_name = (
        {key: max(counts.items(), key=_count)[0] for key, counts in table.items()} for table in votes
    )
    return ProductNames(
        by_sku_id,
        by_part,
        plan_by_id,
        plan_by_name,
        {sku: tuple(sorted(found.items())) for sku, found in plans.items()},
        ids,
    )


def _count(item: tuple[str, int]) -> int:
    return item[1]


def derived(csv_bytes: bytes) -> str:
    """The text of DERIVED_FILE for this CSV: parse()'s lookups, each service plan (id, name) listed
    once and named by its index in `plans_by_sku_id`."""
    names = parse(csv_bytes.decode("utf-8-sig").splitlines())
    pairs = sorted({pair for plans in names.plans_by_sku_id.values() for pair in plans})
    index = {pair: i for i, pair in enumerate(pairs)}
    doc = {
        "csv": _fingerprint(csv_bytes),
        "by_sku_id": names.by_sku_id,
        "by_part": names.by_part,
        "plan_by_id": names.plan_by_id,
        "plan_by_name": names.plan_by_name,
        "plans": pairs,
        "plans_by_sku_id": {sku: [index[pair] for pair in plans] for sku, plans in names.plans_by_sku_id.items()},
        "sku_id_by_part": names.sku_id_by_part,
    }
    return json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def _fingerprint(csv_bytes: bytes) -> str:
    return f"{len(csv_bytes)} bytes, crc32 {zlib.crc32(csv_bytes):08x}"


def from_derived(text: str, csv_bytes: bytes) -> ProductNames | None:
    doc = json.loads(text)
    if doc.get("csv") != _fingerprint(csv_bytes):
        return None
    pairs = [(plan_id, name) for plan_id, name in doc["plans"]]
    return ProductNames(
        doc["by_sku_id"],
        doc["by_part"],
        doc["plan_by_id"],
        doc["plan_by_name"],
        {sku: tuple(pairs[i] for i in found) for sku, found in doc["plans_by_sku_id"].items()},
        doc["sku_id_by_part"],
    )


@cache
def product_names() -> ProductNames:
    """The shipped table (read on first use): the lookups built from it when they match it, else the CSV parsed."""
    here = resources.files(__name__)
    data = here.joinpath(DATA_FILE).read_bytes()
    try:
        ready = from_derived(here.joinpath(DERIVED_FILE).read_text("utf-8"), data)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        ready = None
    return ready if ready is not None else parse(data.decode("utf-8-sig").splitlines())
