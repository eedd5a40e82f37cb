"""A listing cut short (no @odata.nextLink where more users exist, an empty `value`, a group's
members short of their @odata.count) is a named gap: the audit of the sample tenant on the Graph
emulator is incomplete (exit 3, `complete: false`), and the findings it could not see are never
shown as resolved against the full run before it."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from emulator_faults import Fault, FaultKind

from auditor.cli import main
from auditor.data.model import User
from auditor.graph.pacing import forget_app_windows
from auditor.graph.users import missing_sign_ins
from auditor.snapshot import load_snapshot
from auditor_dev import contracts
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.log import LoggedRequest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
USERS = r"^GET /v1\.0/users\?\$select=(?!.*signInActivity)"  # the users listing (not $count, one user, sign-ins)
FRONTLINE = "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"  # Frontline Workers, whose members the example policy reads


def _audit(
    tmp_path: Path, name: str, faults: list[Fault], *extra: str, log: list[LoggedRequest] | None = None
) -> tuple[int, dict[str, Any]]:
    """The example policy's audit of the sample tenant through the emulator with `faults`; `log`
    gets the emulator's requests."""
    snapshot = load_snapshot(SAMPLE)
    token = (tmp_path / "token").read_text(encoding="utf-8")
    out = tmp_path / name
    with GraphEmulator(snapshot, token=token, responders=faults) as graph:
        code = main(
            [
                "audit",
                "--policies",
                str(EXAMPLE),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--graph-endpoint",
                graph.url,
                "--auth",
                "token",
                *extra,
            ]
        )
    if log is not None:
        log.extend(graph.requests)
    return code, json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, tuple[str, ...]]:
    """The audit without faults, once a module (it is the same in every test): the token, the folder
    holding its report (read-only to the tests: each copies it) and the contract violations it recorded."""
    where = tmp_path_factory.mktemp("full")
    token = app_token(load_snapshot(SAMPLE).tenant_id, roles=DEMO_ROLES)
    (where / "token").write_text(token, encoding="utf-8")
    log = where / "contract-violations.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDITOR_ACCESS_TOKEN", token)
        patch.delenv("GITHUB_ACTIONS", raising=False)
        patch.setenv(contracts.VIOLATIONS_FILE, str(log))
        forget_app_windows()  # a test's run of its own (tests/conftest.py `_fresh_sign_in_lane`)
        code, report = _audit(where, "full", [])
        forget_app_windows()
    assert code == 1 and report["complete"] is True and not report.get("gaps")
    found = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return token, where / "full", tuple(found)


@pytest.fixture
def full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_run: tuple[str, Path, tuple[str, ...]]
) -> dict[str, Any]:
    """The audit without faults (the module's), its folder copied to the test's `full/` (the baseline), the
    token in the test's folder and environment; its contract violations are the test's own."""
    token, folder, violations = full_run
    (tmp_path / "token").write_text(token, encoding="utf-8")
    shutil.copytree(folder, tmp_path / "full")
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    if violations:
        with open(os.environ[contracts.VIOLATIONS_FILE], "a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in violations)
    return cast("dict[str, Any]", json.loads((tmp_path / "full" / "report.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("keep", [100, 0])
def test_a_users_listing_cut_short_is_a_gap_and_resolves_nothing(
    tmp_path: Path, full: dict[str, Any], keep: int
) -> None:
    fault = Fault(FaultKind.SHORT, USERS, count=None, keep=keep)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 2  # read once more before it is called a gap
    assert code == 3
    assert report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "users"]
    assert f"read {keep:,} users while GET /users/$count reported 265" in gap["reason"]
    assert report["changes"]["resolved"] == []


def test_a_group_s_members_short_of_their_count_are_a_gap(tmp_path: Path, full: dict[str, Any]) -> None:
    members = rf"^GET /v1\.0/groups/{FRONTLINE}/(transitiveMembers|members)/microsoft\.graph\.user\?"
    fault = Fault(FaultKind.SHORT, members, count=None, keep=0)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 4  # each of its two listings read once more before it is called a gap
    assert code == 3 and report["complete"] is False
    gaps = [g for g in report["gaps"] if g["part"] == "groups"]
    assert gaps and all(g["request"].startswith(f"GET /groups/{FRONTLINE}/") for g in gaps)
    assert all("listed 0 members while its count was" in g["reason"] for g in gaps)
    assert report["changes"]["resolved"] == []


def test_the_licensing_groups_short_of_their_count_are_a_gap(tmp_path: Path, full: dict[str, Any]) -> None:
    fault = Fault(FaultKind.SHORT, r"^GET /v1\.0/groups\?\$filter=assignedLicenses", count=None, keep=1)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 1
    assert code == 3 and report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "groups"]
    assert gap["reason"].startswith("listed 1 licensing groups while its @odata.count was")
    assert report["changes"]["resolved"] == []


def test_a_members_listing_short_once_is_read_again_not_a_gap(tmp_path: Path, full: dict[str, Any]) -> None:
    members = rf"^GET /v1\.0/groups/{FRONTLINE}/transitiveMembers/microsoft\.graph\.user\?"
    fault = Fault(FaultKind.SHORT, members, count=1, keep=0)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 1
    assert code == 1 and report["complete"] is True and not report.get("gaps")
    assert [f["id"] for f in report["findings"]] == [f["id"] for f in full["findings"]]
    assert report["changes"]["resolved"] == []


COUNT = r"^GET /v1\.0/users/\$count$"  # the users' count segment
# what GET /users/$count answers in each case: refused, unavailable (each retry too), not a number
COUNT_FAULTS = {
    "403": lambda: Fault(FaultKind.FORBIDDEN, COUNT, count=None),
    "503": lambda: Fault(FaultKind.UNAVAILABLE, COUNT, count=None, retry_after=0),
    "not a number": lambda: Fault(FaultKind.TEXT, COUNT, count=None, text="about 265"),
}


@pytest.mark.parametrize("answer", list(COUNT_FAULTS))
@pytest.mark.parametrize("concurrency", ["1", "4"])
def test_a_listing_cut_short_is_held_to_its_odata_count_when_the_count_fails(
    tmp_path: Path, full: dict[str, Any], answer: str, concurrency: str
) -> None:
    """GET /users cut to 100 of 265 users while GET /users/$count cannot be read: the listing's first
    page asked $count=true (ConsistencyLevel: eventual), and its @odata.count makes it a gap."""
    short = Fault(FaultKind.SHORT, USERS, count=None, keep=100)
    log: list[LoggedRequest] = []
    code, report = _audit(
        tmp_path,
        "short",
        [short, COUNT_FAULTS[answer]()],
        "--baseline",
        str(tmp_path / "full" / "report.json"),
        "--concurrency",
        concurrency,
        log=log,
    )
    assert code == 3 and report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "users"]
    assert gap["request"] == "GET /users"
    assert gap["reason"].startswith("read 100 users while the first page's @odata.count reported 265: 165 users")
    assert report["changes"]["resolved"] == []
    # the first page of each read asked for the count, as Graph's advanced queries are asked
    first = [r for r in log if r.path == "/users" and "signInActivity" not in r.query.get("$select", "")]
    assert first and all(
        r.query.get("$count") == "true" and r.headers.get("consistencylevel") == "eventual" for r in first[:1]
    )


@pytest.mark.parametrize("answer", list(COUNT_FAULTS))
def test_a_whole_listing_is_whole_by_its_odata_count_when_the_count_fails(
    tmp_path: Path, full: dict[str, Any], answer: str
) -> None:
    code, report = _audit(
        tmp_path, "whole", [COUNT_FAULTS[answer]()], "--baseline", str(tmp_path / "full" / "report.json")
    )
    assert code == 1 and report["complete"] is True and not report.get("gaps")
    assert [f["id"] for f in report["findings"]] == [f["id"] for f in full["findings"]]
    assert report["changes"]["resolved"] == []


def test_a_listing_without_any_count_is_a_gap(tmp_path: Path, full: dict[str, Any]) -> None:
    """The count segment refused and the first page without @odata.count: the listing cannot be
    shown whole, so it is a named gap (here it is whole, and still not taken as such)."""
    faults = [Fault(FaultKind.FORBIDDEN, COUNT, count=None), Fault(FaultKind.UNCOUNTED, USERS, count=None)]
    code, report = _audit(tmp_path, "uncounted", faults, "--baseline", str(tmp_path / "full" / "report.json"))
    assert code == 3 and report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "users"]
    assert gap["reason"].startswith("read 265 users and no count of them could be read")
    assert report["changes"]["resolved"] == []


def test_products_users_hold_that_subscribed_skus_lacks_are_a_gap(tmp_path: Path, full: dict[str, Any]) -> None:
    """GET /subscribedSkus cut to 3 products (it has no count to be held to): the skuIds users hold
    that it lacks make subscribedSkus a gap, and no finding reads as resolved."""
    products = len(load_snapshot(SAMPLE).skus)
    fault = Fault(FaultKind.SHORT, r"^GET /v1\.0/subscribedSkus", count=None, keep=3)
    code, report = _audit(tmp_path, "skus", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 1 and products > 3
    assert code == 3 and report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "subscribedSkus"]
    assert gap["request"] == "GET /subscribedSkus"
    assert gap["reason"].startswith("listed 3 products and lacked ")
    assert report["changes"]["resolved"] == []


SIGN_INS = r"^GET /v1\.0/users\?\$select=id,signInActivity&\$top="  # the full read, not the nightly's filtered one


@pytest.mark.parametrize("keep", [100, 0])
def test_a_sign_in_listing_cut_short_is_a_gap_and_resolves_nothing(
    tmp_path: Path, full: dict[str, Any], keep: int
) -> None:
    fault = Fault(FaultKind.SHORT, SIGN_INS, count=None, keep=keep)
    code, report = _audit(tmp_path, "short", [fault], "--baseline", str(tmp_path / "full" / "report.json"))
    assert fault.hits == 1
    assert code == 3 and report["complete"] is False
    [gap] = [g for g in report["gaps"] if g["part"] == "signInActivity"]
    assert gap["request"] == "GET /users?$select=id,signInActivity"
    assert gap["reason"].startswith(f"the sign-in listing held {keep:,} users and lacked {265 - keep:,} of the users")
    assert not [g for g in report["gaps"] if g["part"] != "signInActivity"]
    assert report["changes"]["resolved"] == []


@pytest.mark.parametrize("deleted", [False, True])
def test_a_user_missing_from_the_sign_in_listing_is_asked_for(
    tmp_path: Path, full: dict[str, Any], deleted: bool
) -> None:
    short = Fault(FaultKind.SHORT, SIGN_INS, count=None, keep=264)
    # Graph's answer for a user deleted after the users listing read it
    gone = Fault(
        FaultKind.REFUSED, r"^GET /v1\.0/users/[0-9a-f-]+\?\$select=id$", None, code="Request_ResourceNotFound"
    )
    gone.status, gone.message = 404, "Resource does not exist."
    code, report = _audit(tmp_path, "short", [short, *([gone] if deleted else [])])
    assert gone.hits == (1 if deleted else 0)
    if deleted:
        assert code == 1 and report["complete"] is True and not report.get("gaps")
    else:
        assert code == 3 and report["complete"] is False
        [gap] = report["gaps"]
        assert gap["reason"].startswith("the sign-in listing held 264 users and lacked 1 of the users listed")


def test_a_user_created_after_the_sign_in_listing_began_is_not_missing_from_it() -> None:
    started = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    listed = [
        _user("old", "2025-01-01T00:00:00Z"),
        _user("new", "2026-11-01T06:05:00Z"),  # created while the two listings were read
        _user("skewed", "2026-11-01T05:55:00Z"),  # within CREATED_SKEW of the start
        _user("undated", None),
        _user("read", "2024-01-01T00:00:00Z"),
    ]
    assert missing_sign_ins(listed, {"read": (None, None, None)}, started) == ["old", "undated"]


def _user(uid: str, created: str | None) -> User:
    return User.new(uid, f"{uid}@contoso.example", uid.title(), created_date_time=created)


@pytest.mark.parametrize("concurrency", ["1", "4"])
@pytest.mark.parametrize(("counted", "gap"), [(268, True), (262, False)], ids=["count 1% over", "count 1% under"])
def test_a_count_1_percent_off_the_listing_is_named(
    tmp_path: Path, full: dict[str, Any], counted: int, gap: bool, concurrency: str
) -> None:
    """GET /users/$count answers 1 % off the 265 users the listing returns (issue 95's red team,
    docs/plan-and-apply.md): neither is trusted silently. Over the listing, the users are read again
    and, still short, are a users gap (exit 3); under it, the users read are used, and the report's
    warnings and stderr say the count and the listing disagree."""
    count = Fault(FaultKind.TEXT, COUNT, count=None, text=str(counted))
    code, report = _audit(tmp_path, "off", [count], "--concurrency", concurrency)
    said = [w for w in report["warnings"] if f"GET /users/$count reported {counted:,}" in w]
    if gap:
        assert code == 3 and report["complete"] is False
        [users] = [g for g in report["gaps"] if g["part"] == "users"]
        assert users["reason"].startswith(f"read 265 users while GET /users/$count reported {counted}")
    else:
        assert code == 1 and report["complete"] is True
        assert [f["id"] for f in report["findings"]] == [f["id"] for f in full["findings"]]
        assert said and "3 more than counted" in said[0]
