"""`license-auditor migrate` end to end: files in, four files out, exit codes 0/1/2, the demo on the emulator."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot, save_snapshot
from auditor_dev.sample.target import demo_files, target_document

from .tenants import E3, sku, tenant, user

SAMPLE = Path(__file__).parents[2] / "auditor_dev" / "sample"


def _files(tmp_path: Path, users_csv: str, source_users=None) -> list[str]:
    source_users = source_users or [
        user("a@contoso.example", E3),
        user("=cmd@contoso.example", E3),
        user("nolicense@contoso.example"),
    ]
    save_snapshot(tenant("Contoso <b>", source_users, [sku(E3, 10, 3)]), tmp_path / "source.json")
    save_snapshot(tenant("Fabrikam", [], [sku(E3, 5, 1)]), tmp_path / "target.json")
    (tmp_path / "users.csv").write_text(users_csv, "utf-8")
    return [
        "migrate",
        "--source",
        str(tmp_path / "source.json"),
        "--target",
        str(tmp_path / "target.json"),
        "--users",
        str(tmp_path / "users.csv"),
        "--cutover",
        "2027-01-15",
        "--as-of",
        "2026-11-24",
        "--output-dir",
        str(tmp_path / "out"),
    ]


def test_nobody_blocked_exits_0_and_writes_the_four_files(tmp_path: Path) -> None:
    args = _files(
        tmp_path,
        "source_upn,target_upn\na@contoso.example,a@fabrikam.example\n=cmd@contoso.example,=cmd@fabrikam.example\n",
    )
    assert main(args) == 0
    out = tmp_path / "out"
    document = json.loads((out / "migration.json").read_text("utf-8"))
    assert document["schema_version"] == 1 and document["cutover"] == "2027-01-15"
    assert document["purchases"] == [
        {"sku": "SPE_E3", "needed": 2, "free_in_target": 4, "buy": 0, "buy_by": "2027-01-15", "new_subscription": False}
    ]
    assert document["users"][0]["target_license_by"] == "2027-02-14"
    assert {f["id"] for f in document["facts"]} >= {"t2t.addon", "t2t.license_after", "t2t.holds"}
    rows = list(csv.DictReader((out / "migration-users.csv").read_text("utf-8-sig").splitlines()))
    assert rows[1]["source_upn"] == "'=cmd@contoso.example"  # a formula is never written to a cell
    assert "Contoso &lt;b&gt;" in (out / "migration.html").read_text("utf-8")
    assert "Contoso &lt;b&gt;" in (out / "migration.md").read_text("utf-8")  # md_escape: no raw HTML


def test_some_users_blocked_exits_1_and_the_plan_says_why_in_the_language(tmp_path: Path) -> None:
    args = _files(
        tmp_path,
        "source_upn,target_upn\na@contoso.example,a@fabrikam.example\nnolicense@contoso.example,n@fabrikam.example\n",
    )
    assert main([*args, "--locale", "nl"]) == 1
    document = json.loads((tmp_path / "out" / "migration.json").read_text("utf-8"))
    blocked = document["users"][1]
    assert blocked["blockers"][0]["code"] == "source_unlicensed"
    assert blocked["source_remove_after"] is None
    md = (tmp_path / "out" / "migration.md").read_text("utf-8")
    assert "Gebruikers die niet kunnen worden verplaatst" in md and "15 jan 2027" in md


def test_a_user_the_source_does_not_have_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _files(tmp_path, "batch,source_upn,target_upn\nb1,ghost@contoso.example,g@fabrikam.example\n")
    assert main(args) == 2
    assert "users.csv:2:2: ghost@contoso.example is not a user of the source tenant" in capsys.readouterr().err


def test_every_user_the_source_lacks_or_the_day_refuses_is_listed_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _files(
        tmp_path,
        "source_upn;target_upn;complete_by\n"
        "ghost@contoso.example;g@fabrikam.example;\n"
        "a@contoso.example;a@fabrikam.example;01-11-2026\n"
        "spook@contoso.example;s@fabrikam.example;20-01-2027\n",
    )
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "users.csv: 3 problems, nothing read" in err
    assert "users.csv:2:1: ghost@contoso.example is not a user of the source tenant" in err
    assert "users.csv:3: complete_by 2026-11-01 is before the plan's day (2026-11-24, --as-of)" in err
    assert "users.csv:4:1: spook@contoso.example is not a user of the source tenant" in err
    assert not (tmp_path / "out" / "migration.json").exists()


def test_bad_command_lines_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _files(tmp_path, "source_upn,target_upn\na@contoso.example,a@fabrikam.example\n")
    assert main([*args[:-4], "--cutover", "15-01-2027", "--output-dir", str(tmp_path / "o")]) == 2
    assert (
        main(
            [
                "migrate",
                "--source",
                "graph",
                "--target",
                str(tmp_path / "target.json"),
                "--domain",
                "x.example",
                "--cutover",
                "2027-01-15",
                "--as-of",  # the plan's day pinned: a cutover after it, whatever the machine's date
                "2026-11-24",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "not a date" in err and "--source graph needs --source-tenant-id" in err


def test_the_demo_runs_the_whole_plan_on_the_emulator(tmp_path: Path) -> None:
    """Both sample tenants served by the built-in emulator, with the bundled users, export, map and bill:
    one case of each blocker two tenants of one cloud can show, and the source's schedule."""
    assert main(["migrate", "--demo", "--output-dir", str(tmp_path)]) == 1
    document = json.loads((tmp_path / "migration.json").read_text("utf-8"))
    codes = {b["code"] for u in document["users"] for b in u["blockers"]}
    assert codes == {"hold", "target_mailbox_exists", "no_target_product", "source_unlicensed"}
    assert document["addons"][0]["sku"] == "Cross_tenant_user_data_migration"
    # the source's bill is the sample's billing file: renewals, a partner's, a legacy one, EMS without a row
    actions = {a["sku"]: a for a in document["source_actions"]}
    assert (actions["SPE_E3"]["window"], actions["SPE_E3"]["to"]) == ("renewal", 175)
    assert actions["Microsoft_365_Copilot"]["owner"] == "partner"
    assert actions["POWER_BI_PRO"]["window"] == "any_time"
    assert actions["EMS"]["confidence"] == "unknown"
    overlap = {o["sku"]: o for o in document["overlap"]["products"]}
    assert overlap["SPE_E3"]["amount"] == round(overlap["SPE_E3"]["seats"] * overlap["SPE_E3"]["days"] * 33.75 / 30, 2)
    assert overlap["EMS"]["amount"] is None and document["overlap"]["amount"] is None  # one unknown: no total
    assert [p["sku"] for p in document["purchases"] if p["new_subscription"]] == [
        "EMS",
        "Microsoft_365_Copilot",
        "SPE_E5",
    ]


def test_the_committed_target_sample_and_demo_files_are_what_the_generator_makes() -> None:
    assert load_snapshot(SAMPLE / "target-tenant.json") == load_snapshot_from(target_document())
    for name, text in demo_files(load_snapshot(SAMPLE / "sample-tenant.json")).items():
        committed = (SAMPLE / "migration" / name).read_bytes().decode("utf-8")
        assert committed == text, f"python -m auditor_dev.sample.target rewrites {name}"


def load_snapshot_from(document: dict) -> object:
    from auditor.snapshot import snapshot_from_json

    return snapshot_from_json(document)


def test_a_tenant_graph_could_not_read_in_full_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--source graph: a collection with a gap is no tenant to plan from (it would read as "no seats")."""
    from auditor import graph_cli as cli_options
    from auditor.data.model import Gap

    partial = tenant("Contoso", [user("a@contoso.example", E3)], [sku(E3, 1, 1)])
    partial = type(partial)(**{**partial.__dict__, "gaps": (Gap("users", "GET /users", "503"),)})
    asked: dict[str, object] = {}

    def read(source: object, **kw: object) -> object:
        asked.update(kw, tenant_id=getattr(source, "tenant_id", None))
        return partial

    monkeypatch.setattr(cli_options, "read_tenant", read)
    args = _files(tmp_path, "source_upn,target_upn\na@contoso.example,a@fabrikam.example\n")
    args[args.index("--source") + 1] = "graph"
    assert main([*args, "--source-tenant-id", "contoso.onmicrosoft.com"]) == 3
    assert "--source: Contoso was not read in full: users: 503 (GET /users)" in capsys.readouterr().err
    assert asked["tenant_id"] == "contoso.onmicrosoft.com" and asked["requests"].usage_need is not None  # type: ignore[attr-defined]


def test_a_snapshot_file_collected_with_gaps_exits_3(tmp_path: Path) -> None:
    from auditor.data.model import Gap

    args = _files(tmp_path, "source_upn,target_upn\na@contoso.example,a@fabrikam.example\n")
    target = tenant("Fabrikam", [], [sku(E3, 5, 1)])
    partial = type(target)(**{**target.__dict__, "gaps": (Gap("subscribedSkus", "GET /subscribedSkus", "403"),)})
    save_snapshot(partial, tmp_path / "target.json")
    assert main(args) == 3
    usage_only = type(target)(**{**target.__dict__, "gaps": (Gap("usageReports", "GET /reports", "403"),)})
    save_snapshot(usage_only, tmp_path / "target.json")
    assert main(args) == 0  # the usage reports' gap leaves only the shared mailboxes' sizes unknown


def test_the_domain_selector_moves_the_domains_members(tmp_path: Path) -> None:
    args = _files(tmp_path, "source_upn,target_upn\n")
    users_at = args.index("--users")
    args[users_at : users_at + 2] = ["--domain", "contoso.example"]
    assert main(args) == 1  # nolicense@ has nothing to move
    document = json.loads((tmp_path / "out" / "migration.json").read_text("utf-8"))
    assert [(u["source"], u["target"]) for u in document["users"]] == [
        ("=cmd@contoso.example", "=cmd@contoso.example"),
        ("a@contoso.example", "a@contoso.example"),
        ("nolicense@contoso.example", "nolicense@contoso.example"),
    ]


@pytest.mark.parametrize(
    ("cutover", "says"),
    [
        ("9999-12-31", "--cutover 9999-12-31 is more than 10 years after the plan's day (2026-11-24)"),
        ("2026-11-01", "--cutover 2026-11-01 is before the plan's day (2026-11-24, --as-of)"),
    ],
)
def test_a_cutover_out_of_reach_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cutover: str, says: str
) -> None:
    args = _files(tmp_path, "source_upn,target_upn\na@contoso.example,a@fabrikam.example\n")
    at = args.index("--cutover") + 1
    assert main([*args[:at], cutover, *args[at + 1 :]]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_a_complete_by_out_of_reach_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _files(tmp_path, "source_upn,target_upn,complete_by\na@contoso.example,a@fabrikam.example,9999-12-31\n")
    assert main(args) == 2
    assert "users.csv:2: complete_by 9999-12-31 is more than 10 years after" in capsys.readouterr().err
