"""Each rule of the migration plan (docs/migration.md), on small tenants built in code."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from auditor.data.enums import Cloud
from auditor.data.exchange_export import read_exchange_export
from auditor.data.model import Group
from auditor.data.usage_data import MAILBOXES, ReportRead, UsageReports, UserUsage
from auditor.migration.mapping import ProductMap
from auditor.migration.movers import Mover
from auditor.migration.plan import build_plan

from .tenants import ADDON, CUTOVER, E3, E5, export, inputs, sku, tenant, user


def _pair(source_users, target_users=(), target_skus=None, **kw):
    source = tenant(
        "Contoso",
        source_users,
        [sku(E3, 10, len(source_users)), sku(E5, 5, 1)],
        cloud=kw.pop("source_cloud", Cloud.WORLDWIDE),
    )
    target = tenant("Fabrikam", target_users, [sku(E3, 5, 4)] if target_skus is None else target_skus)
    return source, target


def _movers(*upns: str, **kw) -> list[Mover]:
    return [Mover(u, u.replace("contoso", "fabrikam"), **kw) for u in upns]


def test_target_seats_are_the_movers_needs_minus_the_free_enabled_seats() -> None:
    """Rule 1: 3 need E3, the target has 5 enabled and 4 consumed: 1 free, buy 2; E5 is a new subscription."""
    source, target = _pair(
        [user("a@contoso.example", E3), user("b@contoso.example", E3), user("c@contoso.example", E3, E5)]
    )
    plan = build_plan(inputs(source, target, _movers("a@contoso.example", "b@contoso.example", "c@contoso.example")))
    e3, e5 = plan.purchases
    assert (e3.sku, e3.needed, e3.free_in_target, e3.buy, e3.new_subscription) == ("SPE_E3", 3, 1, 2, False)
    assert (e5.sku, e5.needed, e5.free_in_target, e5.buy, e5.new_subscription) == ("SPE_E5", 1, 0, 1, True)
    assert e3.buy_by == CUTOVER


def test_a_blocked_user_is_listed_apart_and_not_counted() -> None:
    source, target = _pair([user("a@contoso.example", E3), user("b@contoso.example")])
    plan = build_plan(inputs(source, target, _movers("a@contoso.example", "b@contoso.example")))
    assert [p.needed for p in plan.purchases] == [1]
    assert plan.blocked == 1 and plan.users[1].products == ()


def test_the_addon_takes_its_part_number_from_the_target_and_counts_each_moving_user() -> None:
    """Rule 2: one add-on per user whose mailbox or OneDrive moves; blocked users and users moving no data
    need none; bought by the first completion."""
    source, target = _pair(
        [
            user("a@contoso.example", E3),
            user("b@contoso.example", E3),
            user("c@contoso.example", E3),
            user("d@contoso.example"),
        ],
        target_skus=[sku(E3, 9, 0), sku(ADDON, 1, 0)],
    )
    movers = [
        Mover("a@contoso.example", "a@fabrikam.example", complete_by=date(2027, 1, 8)),
        Mover("b@contoso.example", "b@fabrikam.example"),
        Mover("c@contoso.example", "c@fabrikam.example", workloads=()),
        Mover("d@contoso.example", "d@fabrikam.example"),
    ]
    plan = build_plan(inputs(source, target, movers))
    (addon,) = plan.addons
    assert (addon.sku, addon.count, addon.free, addon.assign_on, addon.buy_by) == (
        "Cross_tenant_user_data_migration",
        2,
        1,
        "target",
        date(2027, 1, 8),
    )
    assert [u.addon for u in plan.users] == [True, True, False, False]


def test_the_addon_is_named_when_neither_tenant_has_it() -> None:
    source, target = _pair([user("a@contoso.example", E3)])
    (addon,) = build_plan(inputs(source, target, _movers("a@contoso.example"))).addons
    assert addon.sku is None and addon.count == 1


def test_the_addon_on_the_source_when_only_the_source_bought_it() -> None:
    source = tenant("Contoso", [user("a@contoso.example", E3)], [sku(E3, 1, 1), sku(ADDON, 5, 0)])
    target = tenant("Fabrikam", [], [sku(E3, 1, 0)])
    (addon,) = build_plan(inputs(source, target, _movers("a@contoso.example"))).addons
    assert (addon.sku, addon.assign_on, addon.free) == ("Cross_tenant_user_data_migration", "source", 5)
    assert build_plan(inputs(source, target, _movers("a@contoso.example"))).users[0].source_products == ("SPE_E3",)


def test_target_licenses_from_the_completion_to_30_days_after() -> None:
    """Rule 3: target_license_from is complete_by (the cutover when not given), target_license_by 30 days later."""
    source, target = _pair([user("a@contoso.example", E3), user("b@contoso.example", E3)])
    movers = [
        Mover("a@contoso.example", "a@fabrikam.example", complete_by=date(2027, 1, 8)),
        Mover("b@contoso.example", "b@fabrikam.example"),
    ]
    a, b = build_plan(inputs(source, target, movers)).users
    assert (a.target_license_from, a.target_license_by, a.source_remove_after) == (
        date(2027, 1, 8),
        date(2027, 2, 7),
        date(2027, 1, 8),
    )
    assert (b.target_license_from, b.target_license_by) == (CUTOVER, date(2027, 2, 14))


def _held(tmp_path: Path, **columns: str):
    u = user("a@contoso.example", E3, uid="aaaaaaaa-0000-4000-8000-000000000001")
    source, target = _pair([u])
    mailboxes = read_exchange_export(export(tmp_path / "m.csv", [{"ExternalDirectoryObjectId": u.id, **columns}]))
    return build_plan(inputs(source, target, _movers("a@contoso.example"), mailboxes=mailboxes)).users[0]


def test_every_kind_of_hold_blocks_the_move(tmp_path: Path) -> None:
    for column, value in (
        ("LitigationHoldEnabled", "True"),
        ("InPlaceHolds", "UniHabc;mbxdef:1"),
        ("DelayHoldApplied", "True"),
        ("ComplianceTagHoldApplied", "True"),
    ):
        moved = _held(tmp_path, **{column: value})
        assert [b.code for b in moved.blockers] == ["hold"], column
        assert column in moved.blockers[0].value["holds"]
        assert moved.removals == () and moved.source_remove_after is None and moved.target_license_from is None
        assert "keeps_source_license" in [n.code for n in moved.notes]


def test_a_retention_hold_and_an_auto_expanding_archive_are_notes(tmp_path: Path) -> None:
    moved = _held(tmp_path, RetentionHoldEnabled="True", AutoExpandingArchiveEnabled="True")
    assert moved.blockers == ()
    assert {"retention_hold", "auto_expanding_archive"} <= {n.code for n in moved.notes}


def test_a_target_user_with_a_mailbox_or_an_exchange_license_blocks() -> None:
    for target_user in (user("a@fabrikam.example", E3), user("a@fabrikam.example", purpose="user")):
        source, target = _pair([user("a@contoso.example", E3)], [target_user])
        (moved,) = build_plan(inputs(source, target, _movers("a@contoso.example"))).users
        assert [b.code for b in moved.blockers] == ["target_mailbox_exists"]


def test_a_target_mailbox_does_not_block_a_user_whose_mailbox_does_not_move() -> None:
    source, target = _pair([user("a@contoso.example", E3)], [user("a@fabrikam.example", E3)])
    movers = [Mover("a@contoso.example", "a@fabrikam.example", workloads=("onedrive",))]
    (moved,) = build_plan(inputs(source, target, movers)).users
    assert moved.blockers == ()


def test_a_target_user_whose_exchange_plan_is_off_does_not_block() -> None:
    target_user = user("a@fabrikam.example", E3, disabled_plans=("efb87545-963c-4e0d-99df-69c6916d9eb0",))
    source, target = _pair([user("a@contoso.example", E3)], [target_user])
    (moved,) = build_plan(inputs(source, target, _movers("a@contoso.example"))).users
    assert moved.blockers == ()


def test_tenants_in_different_clouds_block_everyone() -> None:
    source, target = _pair([user("a@contoso.example", E3)], source_cloud=Cloud.USGOV)
    plan = build_plan(inputs(source, target, _movers("a@contoso.example")))
    assert [b.code for b in plan.users[0].blockers] == ["cross_cloud"] and plan.purchases == ()


def test_a_product_the_map_does_not_name_blocks_and_null_drops_it() -> None:
    source, target = _pair([user("a@contoso.example", E3, E5), user("b@contoso.example", E3, E5)])
    products = ProductMap(True, {"spe_e3": "SPE_E3"})
    a = build_plan(inputs(source, target, _movers("a@contoso.example"), products=products)).users[0]
    assert [b.code for b in a.blockers] == ["no_target_product"] and a.blockers[0].value["products"] == ("SPE_E5",)
    products = ProductMap(True, {"spe_e3": "SPE_E3", "spe_e5": None})
    b = build_plan(inputs(source, target, _movers("b@contoso.example"), products=products)).users[0]
    assert b.blockers == () and b.products == ("SPE_E3",) and [r.sku for r in b.removals] == ["SPE_E3", "SPE_E5"]


def test_a_user_without_a_license_has_nothing_to_move() -> None:
    source, target = _pair([user("a@contoso.example")])
    (moved,) = build_plan(inputs(source, target, _movers("a@contoso.example"))).users
    assert [b.code for b in moved.blockers] == ["source_unlicensed"]


def test_a_group_license_is_removed_through_the_group() -> None:
    """Rule 5: the removal names the group; a direct one says direct."""
    group = Group("g1", "All Staff", members=("u1",))
    source = tenant(
        "Contoso",
        [user("a@contoso.example", E3, uid="u1", group="g1"), user("b@contoso.example", E3)],
        [sku(E3, 10, 2)],
        groups=[group],
    )
    target = tenant("Fabrikam", [], [sku(E3, 5, 0)])
    a, b = build_plan(inputs(source, target, _movers("a@contoso.example", "b@contoso.example"))).users
    assert (a.removals[0].groups, a.removals[0].direct) == (("All Staff",), False)
    assert (b.removals[0].groups, b.removals[0].direct) == ((), True)


def test_shared_mailboxes_need_a_target_license_only_over_50_gb_with_an_archive_or_on_hold(tmp_path: Path) -> None:
    """Rule 7: sizes from the mailbox usage report, the kind and the archive from the Exchange export."""
    small = user("info@contoso.example", uid="aaaaaaaa-0000-4000-8000-000000000002")
    archived = user("legal@contoso.example", E3, uid="aaaaaaaa-0000-4000-8000-000000000003")
    big = user("big@contoso.example", uid="aaaaaaaa-0000-4000-8000-000000000004")
    source, target = _pair([small, archived, big])
    gib = 1024**3
    rows = tuple(
        UserUsage(u, storageUsedInBytes=size, hasArchive=False, reports=(MAILBOXES.name,))
        for u, size in (("info@contoso.example", 3 * gib), ("big@contoso.example", 51 * gib))
    )
    source = replace(
        source, usage_reports=UsageReports((ReportRead(MAILBOXES.name, "D7", "2026-11-22", "GET x"),), rows)
    )
    mailboxes = read_exchange_export(
        export(
            tmp_path / "m.csv",
            [
                {"ExternalDirectoryObjectId": small.id, "RecipientTypeDetails": "SharedMailbox"},
                {
                    "ExternalDirectoryObjectId": archived.id,
                    "RecipientTypeDetails": "SharedMailbox",
                    "ArchiveStatus": "Active",
                    "ArchiveGuid": "99999999-2222-4333-8444-555555555555",
                },
                {"ExternalDirectoryObjectId": big.id, "RecipientTypeDetails": "SharedMailbox"},
            ],
        )
    )
    plan = build_plan(
        inputs(
            source,
            target,
            _movers("info@contoso.example", "legal@contoso.example", "big@contoso.example"),
            mailboxes=mailboxes,
        )
    )
    info, legal, large = plan.users
    assert info.shared and info.blockers == () and info.products == ()
    assert "shared_small" in [n.code for n in info.notes]
    assert legal.shared and legal.products == ("SPE_E3",) and "shared_archive" in [n.code for n in legal.notes]
    assert large.blockers == () and "shared_size" in [n.code for n in large.notes]
    assert "shared_product_unknown" in [r.code for r in plan.unknowns]  # over 50 GB, no license to map
    assert [p.needed for p in plan.purchases] == [1]


def test_a_shared_mailbox_of_unknown_size_is_an_unknown(tmp_path: Path) -> None:
    shared = user("info@contoso.example", uid="aaaaaaaa-0000-4000-8000-000000000002")
    source, target = _pair([shared])
    mailboxes = read_exchange_export(
        export(tmp_path / "m.csv", [{"ExternalDirectoryObjectId": shared.id, "RecipientTypeDetails": "SharedMailbox"}])
    )
    plan = build_plan(inputs(source, target, _movers("info@contoso.example"), mailboxes=mailboxes))
    assert "shared_size_unknown" in [r.code for r in plan.unknowns]


def test_unknowns_are_listed_not_guessed(tmp_path: Path) -> None:
    """Rule 8: holds without an export, windows without a billing file, the add-on's price."""
    source, target = _pair([user("a@contoso.example", E3), user("b@contoso.example", E3)])
    plan = build_plan(inputs(source, target, _movers("a@contoso.example", "b@contoso.example")))
    assert [r.code for r in plan.unknowns] == [
        "holds_not_checked",
        "org_retention",
        "windows_without_billing",
        "addon_price",
    ]
    assert plan.overlap.confidence == "unknown" and plan.overlap.amount is None and plan.overlap.seats == 2
    mailboxes = read_exchange_export(export(tmp_path / "m.csv", [{"ExternalDirectoryObjectId": source.users[0].id}]))
    plan = build_plan(inputs(source, target, _movers("a@contoso.example", "b@contoso.example"), mailboxes=mailboxes))
    assert plan.unknowns[0].code == "not_in_export" and plan.unknowns[0].value == {"n": 1, "first": "b@contoso.example"}


def test_the_people_table_lists_200_blocked_users_and_points_to_the_csv_for_the_rest() -> None:
    """A report is read, not searched: the Markdown/HTML plan shows the first 200 blocked users."""
    from auditor.data.model import Locale
    from auditor.migration.view import build_view

    upns = [f"u{n:03d}@contoso.example" for n in range(201)]
    source, target = _pair([user(u) for u in upns])  # no license: every one is blocked
    view = build_view(build_plan(inputs(source, target, _movers(*upns))), Locale.EN, "2026-11-24T00:00:00Z")
    assert len(view["blocked"]) == 200 and view["blocked_more"] == "1 more in migration-users.csv"
    assert view["summary"] == "0 users move; 201 are blocked"
