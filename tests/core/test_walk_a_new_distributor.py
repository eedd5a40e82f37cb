"""A new distributor is its folder and its registry line, and nothing else changes (issue 119, point 3).

A throw-away distributor of another shape than Pax8's and Sherweb's goes into a copy of the package:
its customer is an `account_id` that is no GUID (ACC-000123), its request body names the quantity
`seats`, its terms are ISO 8601 durations (P1M, P1Y). Its folder (tally, in auditor/vendors) and its
line in auditor/vendors/registry.py are the only edits. Then each place the issue found naming today's
vendors is asked, in the copy, to carry it: the tenants file (auditor.delivery.matrix), report.json's
section and its reader (auditor.billing.distributor_seats, distributor_records), apply's customer
(auditor.distributor.distributor_rederive) and a purchase's (auditor.distributor.purchases), plan.json's
request body, read with the registry's BODIES, and a smaller change's quantity (auditor.formats.bill_model,
as apply.agree makes one), and the commitment rule (auditor.vendors.terms). Each probe that fails names the
file that would have to change: the walk counts them. Before a distributor named its own customer id and
monthly term, 8 probes failed (7 files); until a distributor owned its request body (its Body, which the
registry's BODIES give plan.json's readers), plan.json's closed body of today's vendors' fields made 2
more. None is left: a probe that fails again (bill_model naming a vendor's fields, a closed body) fails the walk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# auditor/vendors/tally/__init__.py: the whole distributor, its facts and its calls
VENDOR = '''
"""Tally, a throw-away distributor of another shape (tests/core/test_walk_a_new_distributor.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Self

import msgspec

from auditor.formats.bill_model import Body, CommerceChange, CommerceRequest
from auditor.vendors.protocols import REDUCE, Distributor, DistributorSession, Flags


class Seats(Body, frozen=True, kw_only=True):
    seats: int

    def with_quantity(self, old: int, new: int) -> Self:
        return msgspec.structs.replace(self, seats=new) if self.seats == old else self


def _seats(customer: str, sub_id: str, to: int) -> CommerceRequest:
    return CommerceRequest(method="PATCH", path=f"/accounts/{customer}/plans/{sub_id}", body=Seats(seats=to))


class TallyApi:
    def credentials(self, env: Mapping[str, str]) -> tuple[str]:
        return (env.get("TALLY_TOKEN", ""),)

    @contextmanager
    def session(self, env: Mapping[str, str], endpoint: str | None) -> Iterator[DistributorSession]:
        raise NotImplementedError
        yield

    def quantity(self, customer: str, sub_id: str, to: int) -> CommerceRequest:
        return _seats(customer, sub_id, to)

    def cancel(self, sub_id: str, on: str) -> CommerceRequest | None:
        return None

    def wrong_request(self, c: CommerceChange) -> str | None:
        return None if c.request == _seats(c.scope, c.api_id, c.to or 0) else "not Tally's PATCH"


VENDOR = Distributor(
    key="tally",
    name="Tally",
    scope="account_id",  # its customer: an account, ACC- and six digits
    customer="Tally account id",  # kept as given
    customer_pattern=re.compile(r"^ACC-[0-9]{6}\\Z"),
    product="Tally plan code",
    product_pattern=re.compile(r"^[A-Z]{2,8}-[0-9]{1,4}\\Z"),
    ties="",
    kinds=(REDUCE,),
    gives_price=False,
    commits_by_term_only=True,
    renews_next_day=False,
    monthly="P1M",  # its terms: ISO 8601 durations
    body=Seats,
    flags=Flags(endpoint="--tally-endpoint", audit="read Tally at URL", write="Tally's URL"),
    api=TallyApi(),
)
'''

# what the copy runs: one probe per place, named by the file a failure would make a newcomer edit
CHECK = r"""
import json, sys, traceback
from pathlib import Path
from types import SimpleNamespace

import msgspec
import auditor

assert Path(auditor.__file__).is_relative_to(Path.cwd()), auditor.__file__  # the copy, not the repository
from auditor.vendors.registry import DISTRIBUTORS

vendor = DISTRIBUTORS["tally"]
BLOCK = {"account_id": "ACC-000123", "products": {"OF-12": "SPE_E3"}}
touched = []


def probe(where, check):
    try:
        check()
    except Exception:
        touched.append(where)
        print(f"--- {where}", traceback.format_exc(limit=3), sep="\n", file=sys.stderr)


def tenants_file():
    from auditor.delivery.matrix import read_tenants_file
    from auditor.common.errors import UsageError

    path = Path(sys.argv[1]) / "tenants.yaml"
    entry = (
        "tenants:\n  - name: Contoso\n    tenant_id: contoso.example\n"
        "    client_id: 11111111-2222-3333-4444-555555555555\n"
    )
    path.write_text(entry + "    distributor: {tally: {account_id: ACC-000123, products: {OF-12: SPE_E3}}}\n")
    (job,) = read_tenants_file(path).jobs
    assert json.loads(job.distributor) == {"tally": {"account_id": "ACC-000123", "products": {"of-12": "SPE_E3"}}}
    path.write_text(entry + "    distributor: {tally: {account_id: 11111111-2222-3333-4444-555555555555}}\n")
    try:
        read_tenants_file(path)
    except UsageError as exc:  # its own pattern, not a GUID
        assert "a Tally account id" in str(exc), exc
    else:
        raise AssertionError("a GUID is no Tally account")


def section():
    from auditor.billing.distributor_seats import failed, failed_section
    from auditor.vendors.distributor_sessions import seller

    written = failed_section(failed(seller(vendor), BLOCK, "down"), "down")
    doc = json.loads(msgspec.json.encode(written))
    assert list(doc)[:3] == ["schema", "distributor", "account_id"], doc
    assert doc["account_id"] == "ACC-000123" and doc["block"] == BLOCK, doc


def section_read():
    from auditor.billing.distributor_records import DistributorSection, keyed
    from auditor.billing.distributor_seats import failed, failed_section
    from auditor.vendors.distributor_sessions import seller

    data = msgspec.json.encode(failed_section(failed(seller(vendor), BLOCK, "down"), "down"))
    read = msgspec.json.decode(data, type=DistributorSection)
    assert read.block == BLOCK, read.block
    assert msgspec.json.encode(keyed(read, vendor.scope)) == data  # distributor.json, written from report.json's


def decoded():
    from auditor.billing.distributor_records import DistributorSection
    from auditor.billing.distributor_seats import failed, failed_section
    from auditor.vendors.distributor_sessions import seller

    data = msgspec.json.encode(failed_section(failed(seller(vendor), BLOCK, "down"), "down"))
    return msgspec.json.decode(data, type=DistributorSection)


def purchase_customer():
    from auditor.distributor.purchases import scope_of

    found = scope_of(decoded())
    assert found is not None and found[1] == "ACC-000123", found


def apply_customer():
    from auditor.distributor import distributor_rederive

    distributor_rederive._report_of = lambda plan: SimpleNamespace(distributor=decoded())
    assert distributor_rederive.customers_of(None) == {"tally": "ACC-000123"}
    assert distributor_rederive.entry_of(None) == {"tally": BLOCK}


def _change(to):
    from auditor.formats.bill_model import CommerceChange

    return CommerceChange(
        n=1, kind="reduce", source="tally", scope="ACC-000123", api_id="OF-12-1", subscription=None, sku="SPE_E3",
        sku_id=None, from_=10, to=to, seats=10 - to, window="now", not_before=None, by=None, monthly_saving=30.0,
        saving_from=None, request=vendor.api.quantity("ACC-000123", "OF-12-1", to),
    )


def request_body():
    from auditor.formats.bill_model import Bill, CommerceChange, RequestBody
    from auditor.vendors.registry import BODIES

    sent = _change(7)
    again = BODIES.change(msgspec.json.decode(msgspec.json.encode(sent), type=CommerceChange))  # as plan.json is read
    assert again == sent, again
    assert json.loads(msgspec.json.encode(again.request)) == {
        "method": "PATCH", "path": "/accounts/ACC-000123/plans/OF-12-1", "body": {"seats": 7}
    }
    bill = {"products": [], "actions": [], "monthly_saving_now": 0, "monthly_saving_within_year": 0, "as_of": "x"}
    doc = msgspec.json.encode(bill | {"distributor": [sent]})
    assert BODIES.bill(msgspec.json.decode(doc, type=Bill)).distributor == [sent]
    for wrong in ({"seats": 7, "quantity": 7}, {"seats": "7"}):  # its API's fields only, of their types
        try:
            BODIES.bill(msgspec.json.decode(doc.replace(b'{"seats":7}', msgspec.json.encode(wrong)), type=Bill))
        except msgspec.ValidationError:
            continue
        raise AssertionError(f"a body {wrong} is read")
    try:  # the body is Tally's own, never one of the fields formats names
        msgspec.convert({"seats": 7}, RequestBody)
    except msgspec.ValidationError:
        pass
    else:
        raise AssertionError("formats' RequestBody names Tally's field")


def smaller_quantity():
    change = _change(7)
    made = change.smaller(8)  # what apply.agree takes from a plan file that reduces fewer seats
    assert made is not None and made.request == vendor.api.quantity("ACC-000123", "OF-12-1", 8), made


def commitment():
    from auditor.vendors.terms import committed

    assert not committed(vendor, "P1M", "P1M")  # its monthly term, as it names it
    assert committed(vendor, "P1Y", "P1M")


probe("auditor/delivery/matrix.py", tenants_file)
probe("auditor/billing/distributor_seats.py", section)
probe("auditor/billing/distributor_records.py", section_read)
probe("auditor/distributor/purchases.py", purchase_customer)
probe("auditor/distributor/distributor_rederive.py", apply_customer)
probe("auditor/formats/bill_model.py (request body)", request_body)
probe("auditor/formats/bill_model.py (quantity)", smaller_quantity)
probe("auditor/vendors/terms.py", commitment)
print(json.dumps(touched))
"""


def _copy(tmp_path: Path) -> Path:
    """The package, its developer tools and pyproject.toml, copied, with the new distributor's folder and
    its registry line: the only two edits."""
    root = tmp_path / "repo"
    for name in ("auditor", "auditor_dev"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    folder = root / "auditor" / "vendors" / "tally"
    folder.mkdir()
    (folder / "__init__.py").write_text(VENDOR.lstrip(), "utf-8")
    registry = root / "auditor" / "vendors" / "registry.py"
    before = registry.read_text("utf-8")
    after = before.replace("partner_center, pax8, sherweb\n", "partner_center, pax8, sherweb, tally\n").replace(
        "    sherweb.VENDOR.key: sherweb.VENDOR,\n",
        "    sherweb.VENDOR.key: sherweb.VENDOR,\n    tally.VENDOR.key: tally.VENDOR,\n",
    )
    assert after.count("tally") == 3, "the registry changed shape: update this walk"
    registry.write_text(after, "utf-8")
    return root


# what a new distributor of another shape still changes outside its folder: nothing
LEFT: list[str] = []


def test_a_new_distributor_of_another_shape_is_its_folder_and_its_registry_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    walked = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path)], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert walked.returncode == 0, walked.stdout[-3000:] + walked.stderr[-5000:]
    touched = json.loads(walked.stdout.splitlines()[-1])
    assert touched == LEFT, f"{len(touched)} places outside its folder must change: {touched}\n{walked.stderr[-6000:]}"
