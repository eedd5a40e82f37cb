"""The storage limits table (auditor/reference/storage-limits.csv): read as shipped, each row's
service plan the one Microsoft's product names table names, and the figures the plans of E3, E5
and F3 give (the facts a replacement by a smaller plan is judged on)."""

from __future__ import annotations

import pytest

from auditor.reference import product_names
from auditor.reference.storage import GB, SHARED_MAILBOX, parse, plan_limits, storage_limits

E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
F3 = "66b55226-6b4f-492c-910c-a3b7a3c9d993"


def _limits_of(sku_id: str) -> dict[str, int | None]:
    plans = {pid for pid, _ in product_names().plans_of(sku_id)}
    rows = plan_limits(plans)
    mailbox = [r for r in rows if r.mailbox_bytes is not None]
    onedrive = [r for r in rows if r.onedrive_bytes is not None]
    assert len(mailbox) == 1 and len(onedrive) == 1, (sku_id, rows)
    return {
        "mailbox": mailbox[0].mailbox_bytes,
        "archive": mailbox[0].archive_bytes,
        "onedrive": onedrive[0].onedrive_bytes,
    }


def test_every_row_names_a_service_plan_of_microsofts_table_by_its_id() -> None:
    names = product_names()
    for subject, limit in storage_limits().items():
        if subject == SHARED_MAILBOX:
            assert limit.service_plan_id is None
            continue
        assert limit.service_plan_id is not None and names.plan_by_id.get(limit.service_plan_id), subject
        # the id and the name are the same plan in Microsoft's table
        assert any(
            (limit.service_plan_id, subject) == plan for plans in names.plans_by_sku_id.values() for plan in plans
        ), subject
        assert limit.source.startswith("https://learn.microsoft.com/")


def test_f3_gives_a_2_gb_mailbox_without_archive_and_2_gb_of_onedrive() -> None:
    assert _limits_of(F3) == {"mailbox": 2 * GB, "archive": None, "onedrive": 2 * GB}


@pytest.mark.parametrize("sku", [E3, E5])
def test_e3_and_e5_give_exchange_plan_2_a_100_gb_mailbox_with_archive(sku: str) -> None:
    limits = _limits_of(sku)
    assert limits["mailbox"] == 100 * GB and limits["archive"] == 1536 * GB and limits["onedrive"] == 1024 * GB


def test_a_shared_mailbox_holds_50_gb_without_a_license_and_no_archive() -> None:
    shared = storage_limits()[SHARED_MAILBOX]
    assert shared.mailbox_bytes == 50 * GB == 53_687_091_200 and not shared.has_archive


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("subject,mailbox_gb\nX,2\n", "expected the columns"),
        (
            "subject,service_plan_id,mailbox_gb,archive_gb,onedrive_gb,source\nX,,2.5,,,https://learn.microsoft.com/a\n",
            "line 2: '2.5' is not a whole number of GB",
        ),
        ("subject,service_plan_id,mailbox_gb,archive_gb,onedrive_gb,source\nX,,2,,,https://example.com/\n", "line 2"),
    ],
)
def test_a_damaged_table_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(text)
