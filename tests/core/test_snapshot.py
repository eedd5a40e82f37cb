import io
import json

import pytest

from auditor.common.errors import SnapshotError
from auditor.snapshot import load_snapshot, snapshot_from_json, write_snapshot
from auditor_dev.sample.generate import generate_document

from .factory import tenant, user


def test_write_then_read_round_trips_exactly(tmp_path):
    doc = generate_document(300, seed=3)
    snap = snapshot_from_json(doc)
    out = io.StringIO()
    write_snapshot(snap, out)
    again = snapshot_from_json(json.loads(out.getvalue()))
    assert again == snap
    second = io.StringIO()
    write_snapshot(again, second)
    assert second.getvalue() == out.getvalue()


def test_generator_is_deterministic():
    assert generate_document(120, seed=5) == generate_document(120, seed=5)
    assert generate_document(120, seed=5) != generate_document(120, seed=6)


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.pop("users"), "users: missing or not a list"),
        (lambda d: d.update(kind="something"), "kind: expected 'license-auditor/snapshot'"),
        (lambda d: d.update(schemaVersion=99), "schemaVersion: 99 is not supported"),
        (lambda d: d["tenant"].update(cloud="mars"), "tenant.cloud: 'mars'"),
        (lambda d: d["users"][0].update(accountEnabled="yes"), "users[0] (a@contoso.example).accountEnabled"),
        (lambda d: d["users"][0].pop("id"), "users[0] (a@contoso.example).id: missing"),
        (lambda d: d["users"][0]["assignedLicenses"].append({"disabledPlans": []}), "assignedLicenses"),
        (lambda d: d["subscribedSkus"][0].update(consumedUnits="7"), "subscribedSkus[0]"),
    ],
)
def test_broken_snapshots_name_the_field(tmp_path, mutate, fragment):
    doc = tenant([user("a", "SPE_E3")])
    mutate(doc)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SnapshotError) as err:
        load_snapshot(path)
    assert fragment in str(err.value) and str(path) in str(err.value)


def test_truncated_snapshot_file(tmp_path):
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(tenant([user("a")]))[:-20], encoding="utf-8")
    with pytest.raises(SnapshotError, match="invalid JSON"):
        load_snapshot(path)


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d["subscribedSkus"][0].update(consumedUnits=-3), "consumedUnits: -3 is negative"),
        (lambda d: d["users"].append(dict(d["users"][0])), "appears twice"),
        (lambda d: d["users"][0].update(id=""), ".id: empty"),
        (lambda d: d.update(collectedAt="yesterday"), "collectedAt: 'yesterday' is not an ISO-8601 date-time"),
        (lambda d: d["users"][0]["signInActivity"].update(lastSignInDateTime="soon"), "lastSignInDateTime"),
        (
            lambda d: d["subscriptions"].append({"id": "s", "skuId": "x", "nextLifecycleDateTime": "2026-13-01"}),
            "nextLifecycleDateTime",
        ),
    ],
)
def test_implausible_values_are_rejected_not_guessed(tmp_path, mutate, fragment):
    doc = tenant([user("a", "SPE_E3")])
    mutate(doc)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SnapshotError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        load_snapshot(path)


def test_absurd_json_is_a_snapshot_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    with pytest.raises(SnapshotError, match="invalid JSON"):
        load_snapshot(path)
    path.write_text('{"n": ' + "9" * 5000 + "}", encoding="utf-8")
    with pytest.raises(SnapshotError, match="invalid JSON"):
        load_snapshot(path)


def test_a_nightly_snapshot_keeps_when_its_sign_in_activity_was_read_in_full(tmp_path):
    """--save-snapshot of a night that read only what can have changed: signInActivityReadAt (the
    kept full read's time) is written, read back, and a malformed one is refused; a snapshot without
    it (every older one, and every run that read everyone) loads with None."""
    doc = tenant([user("a", "SPE_E3")])
    assert snapshot_from_json(doc).sign_ins_read_at is None
    doc["signInActivityReadAt"] = "2026-11-01T06:00:00Z"
    # and, on a night the usage report stood in for the dormant accounts' sign-in read, its refresh date
    doc["signInActivityUsageQuietThrough"] = "2026-11-05"
    snap = snapshot_from_json(doc)
    assert (snap.sign_ins_read_at, snap.sign_ins_usage_quiet) == ("2026-11-01T06:00:00Z", "2026-11-05")
    out = io.StringIO()
    write_snapshot(snap, out)
    assert json.loads(out.getvalue())["signInActivityReadAt"] == "2026-11-01T06:00:00Z"
    assert json.loads(out.getvalue())["signInActivityUsageQuietThrough"] == "2026-11-05"
    assert snapshot_from_json(json.loads(out.getvalue())) == snap
    doc["signInActivityReadAt"] = "last week"
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SnapshotError, match="signInActivityReadAt"):
        load_snapshot(path)
    doc["signInActivityReadAt"] = "2026-11-01T06:00:00Z"
    doc["signInActivityUsageQuietThrough"] = "yesterday"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SnapshotError, match="signInActivityUsageQuietThrough"):
        load_snapshot(path)
