"""A forged but plausible kept sign-in read (issue 95's red team, docs/plan-and-apply.md): half the
users' last sign-in times moved 60 days back, in a file with this tenant's header, count and ids,
so that no check of auditor.graph.kept_trust can tell it from one the auditor wrote. A night of
`audit --baseline previous` must still find exactly what a full read finds: a kept time at or
before the filter's cutoff is never taken as written, the filtered read tells tonight's
(kept_sign_ins.py); and a removal for inactivity is re-read at apply in any case
(tests/apply/test_time.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_kept_sign_ins import POLICY, START, WINDOW, _iso
from test_kept_trust import Times, _audit, _inactive, _licensed_active, _sign_in_reads, _tenant

from auditor.graph.kept_sign_ins import KEPT_FILE, full_night, load, save, times
from auditor.graph.kept_trust import distrust
from auditor_dev.emulator import GraphEmulator, app_token


def _back(when: str | None) -> str | None:
    if when is None:
        return None
    moved = datetime.fromisoformat(when.replace("Z", "+00:00")) - timedelta(days=60)
    return _iso(moved)


def test_a_forged_plausible_kept_read_reports_no_active_user_as_inactive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    snap = _tenant()
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    second = first + timedelta(days=1)
    nightly = tmp_path / "nightly"
    with GraphEmulator(snap, token=token) as graph:
        _audit(graph, policy, nightly, first, True)
    kept, _ = load(nightly / KEPT_FILE)
    assert kept is not None
    written: Times = {uid: t for chunk in times(kept) for uid, t in chunk.items()}
    active = set(_licensed_active(snap))
    forged = dict(written)
    moved = sorted(written)[::2]  # half the users, the active ones among them too
    for uid in moved:
        last, last_ni, ok = written[uid]
        forged[uid] = (_back(last), _back(last_ni), _back(ok))
    assert active & set(moved)
    save(nightly / KEPT_FILE, snap.tenant_id, first, WINDOW, forged)
    kept, _ = load(nightly / KEPT_FILE)
    assert kept is not None
    created = [u.id for u in snap.users]
    assert distrust(kept, list(snap.users), created) is None, "plausible: no check of the file tells it"
    with GraphEmulator(snap, token=token) as graph:
        got = _audit(graph, policy, nightly, second, True)
        reads = _sign_in_reads(graph)
        reference = _audit(graph, policy, tmp_path / "full", second, False)
    assert reads == (0, 1), "the night rests on the kept read, and asks Graph for the quiet users"
    assert got["complete"] is True
    assert _inactive(got) == _inactive(reference) and _inactive(got)
    assert not active & set(_inactive(got)), "no user who signed in recently is reported inactive"
