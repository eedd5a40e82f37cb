"""licensed-users.csv: the license list, one row per account that holds a license (docs/reports.md).

What an MSP checks its customer's monthly bill against: who holds which products, how each got them
(directly or through which groups), whether the account is on and when it last signed in, and what its
products cost a month by the policy's prices. Written beside findings.csv by every `audit` that writes
findings.csv; `audit --tenants` writes one per tenant and one of all tenants (auditor.fleet), and
`rollup` joins the shards' lists.

Columns: `tenant, display_name, user_principal_name, kind, enabled, last_sign_in, products,
assigned_by, monthly_cost, currency, unpriced, psa_monthly`. `products` are the names people know (the
policy's catalog name, else Microsoft's product table, else the part number), joined with "; ";
`assigned_by` is "direct" and/or the names of the groups that assign them; `last_sign_in` the date of the
last successful sign-in (empty when unknown); `monthly_cost` the sum of the priced products' prices (free
products count 0; empty when none of them has a price), `currency` its currency (the policy's prices';
when they are in several currencies the sum is left empty and `currency` lists them); `unpriced` the
products without a price, which that sum leaves out (joined with "; "; empty when every product is
priced); `psa_monthly` what the MSP's PSA bills the customer a month for those products, each at its one
unitPrice there (auditor.billing.psa_table.unit_prices; empty without a PSA read by `audit --tenants`, or
when the PSA bills none of them). The file is written as findings.csv is: UTF-8 with a byte-order mark,
RFC 4180, every tenant-sourced cell formula-safe (a leading apostrophe).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from auditor.billing.psa_records import PsaPayload
from auditor.billing.psa_table import unit_prices
from auditor.common.outputs import atomic_text
from auditor.data.enums import AccountKind
from auditor.data.model import Profile, SeatRow, TenantSnapshot, User
from auditor.data.sign_ins import last_sign_in
from auditor.reference import product_names
from auditor.report.csv_report import safe_cell
from auditor.report.redaction import Pseudonymiser, redaction_key

FILE_NAME = "licensed-users.csv"
COLUMNS = (
    "tenant",
    "display_name",
    "user_principal_name",
    "kind",
    "enabled",
    "last_sign_in",
    "products",
    "assigned_by",
    "monthly_cost",
    "currency",
    "unpriced",
    "psa_monthly",
)
DIRECT = "direct"


def account_kind(user: User, declared: Mapping[str, AccountKind]) -> str:
    """The account's kind in the list's `kind` column (AccountKind's value: person, guest, shared, room,
    equipment, resource, teams_rooms, agent, break_glass, service): the kind a policy declares for it
    (`declared`, AuditResult.declared_kinds), else what Graph's properties say (User.kind)."""
    return (declared.get(user.id) or user.kind).value


class _Product:
    """What the list needs of one product the tenant holds: its name, and its price a month."""

    __slots__ = ("currency", "free", "name", "price")

    def __init__(self, name: str, price: float | None, free: bool, currency: str | None = None) -> None:
        self.name, self.price, self.free, self.currency = name, price, free, currency


def _products(seats: Iterable[SeatRow]) -> dict[str, _Product]:
    """The tenant's products by skuId (lower case), from the evaluation's seat rows."""
    return {s.sku_id.lower(): _Product(s.name or s.sku, s.price_monthly, s.free, s.currency) for s in seats}


def _product(known: Mapping[str, _Product], sku_id: str) -> _Product:
    """A product by skuId: the tenant's own, else Microsoft's table's name (unpriced), else the skuId."""
    found = known.get(sku_id.lower())
    if found is not None:
        return found
    return _Product(product_names().product(sku_id=sku_id) or sku_id, None, False)


def _assigned_by(profile: Profile, groups: Mapping[str, str]) -> str:
    """ "direct" and/or the names of the groups that assign the profile's licenses, sorted, each once."""
    held = {a.sku_id.lower() for a in profile.assigned_licenses}
    direct, via = False, set()
    for state in profile.license_assignment_states:
        if state.sku_id.lower() not in held:
            continue  # an assignment in error: the user does not hold that product
        if state.assigned_by_group is None:
            direct = True
        else:
            via.add(groups.get(state.assigned_by_group.lower(), state.assigned_by_group))
    return "; ".join([*([DIRECT] if direct else []), *sorted(via, key=str.casefold)])


def _cost(products: Sequence[_Product]) -> tuple[str, str, str]:
    """(monthly_cost, currency, unpriced): the sum of the priced products in their currency, and the names
    of those without a price, which the sum leaves out; the sum is empty when no product is priced or
    free, and when the prices are in several currencies (`currency` then lists them)."""
    priced = [p for p in products if not p.free and p.price is not None]
    unpriced = sorted({p.name for p in products if not p.free and p.price is None}, key=str.casefold)
    currencies = sorted({p.currency or "" for p in priced} - {""})
    counted = (bool(priced) or any(p.free for p in products)) and len(currencies) <= 1
    total = f"{sum(p.price or 0.0 for p in priced):.2f}" if counted else ""
    return total, "; ".join(currencies), "; ".join(unpriced)


def _psa_cell(profile: Profile, psa: Mapping[str, float] | None) -> str:
    """What the PSA bills a month for the profile's products (`psa`: a seat's price by skuId, lower case);
    "" without a PSA read, or when it bills none of them."""
    billed = [psa[a.sku_id.lower()] for a in profile.assigned_licenses if psa and a.sku_id.lower() in psa]
    return f"{sum(billed):.2f}" if billed else ""


def _shared_cells(
    profile: Profile, known: Mapping[str, _Product], groups: Mapping[str, str], psa: Mapping[str, float] | None
) -> list[str]:
    """The columns that depend on a profile alone (what users share, Profile): products, assigned_by,
    monthly_cost, currency, unpriced and psa_monthly; worked out once for the users of one profile."""
    held = [_product(known, a.sku_id) for a in profile.assigned_licenses]
    cost, currency, unpriced = _cost(held)
    return [
        safe_cell("; ".join(sorted({p.name for p in held}, key=str.casefold))),
        safe_cell(_assigned_by(profile, groups)),
        cost,
        safe_cell(currency),
        safe_cell(unpriced),
        _psa_cell(profile, psa),
    ]


def rows(
    snapshot: TenantSnapshot,
    seats: Iterable[SeatRow],
    *,
    tenant: str,
    pseudonyms: Pseudonymiser | None = None,
    declared: Mapping[str, AccountKind] | None = None,
    psa: Mapping[str, float] | None = None,
) -> Iterator[list[str]]:
    """The list's rows (without the header), one per account holding a license, in the snapshot's
    order; `pseudonyms`: names and UPNs replaced as --redact replaces them in findings.csv; `psa`: a
    seat's price in the MSP's PSA by skuId (psa_monthly)."""
    known = _products(seats)
    groups = {g.id.lower(): g.display_name or g.id for g in snapshot.groups}
    label = safe_cell(tenant)
    # the columns users of one profile share, by the profile's identity (the snapshot holds its
    # profiles while the rows are written): worked out once per profile, not once per user
    shared: dict[int, list[str]] = {}
    for user in snapshot.users:
        profile = user.profile
        if not profile.assigned_licenses:
            continue
        cells = shared.get(id(profile))
        if cells is None:
            cells = shared[id(profile)] = _shared_cells(profile, known, groups, psa)
        name, upn = user.display_name, user.user_principal_name
        if pseudonyms is not None:
            name, upn, _ = pseudonyms.person(upn, user.id)
        signed_in = last_sign_in(user)
        yield [
            label,
            safe_cell(name),
            safe_cell(upn),
            safe_cell(account_kind(user, declared or {})),
            "true" if profile.account_enabled else "false",
            signed_in.date().isoformat() if signed_in is not None else "",
            *cells,
        ]


def write(path: Path, table: Iterable[list[str]]) -> Path:
    """The list written to `path` row by row (never held whole: a large tenant's list is tens of MB),
    UTF-8 with a byte-order mark as Excel expects (as findings.csv)."""
    with atomic_text(path, encoding="utf-8-sig") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(table)
    return path


def write_for(
    snapshot: TenantSnapshot,
    seats: Iterable[SeatRow],
    out_dir: Path,
    tenant: str | None,
    redact: bool,
    env: Mapping[str, str],
    declared: Mapping[str, AccountKind] | None = None,
    psa: PsaPayload | None = None,
) -> Path:
    """OUT_DIR/licensed-users.csv of an audit: the tenant named `tenant` (the tenants file's name in a
    many-tenant run), else as it names itself; people pseudonymised as --redact does in findings.csv;
    `psa`: what the MSP's PSA bills the customer, as audit --tenants read it (psa_monthly)."""
    pseudonyms = Pseudonymiser(redaction_key(env, snapshot.tenant_id)) if redact else None
    label = tenant or snapshot.tenant_name or snapshot.tenant_id
    seats = list(seats)
    prices = unit_prices(psa, seats) if psa else None
    table = rows(snapshot, seats, tenant=label, pseudonyms=pseudonyms, declared=declared, psa=prices)
    return write(out_dir / FILE_NAME, table)


def read_rows(path: Path) -> list[list[str]]:
    """The rows of a list written by `write` (header left out); [] when the file is missing."""
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        return []
    table = list(csv.reader(io.StringIO(text, newline="")))
    return [row for row in table[1:] if row] if table and tuple(table[0]) == COLUMNS else []


def join(paths: Iterable[Path], target: Path) -> Path:
    """One list of every tenant: the rows of each list in `paths`, in that order, written to `target`."""
    table = [row for path in paths for row in read_rows(path)]
    return write(target, table)
