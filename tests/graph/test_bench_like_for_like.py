"""benchmarks.like_for_like's workload: the emulator's token without MailboxSettings.Read, the
policy of 2026-11-22, an audit that records the gap and exits 3 (what that day's figures measured)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.like_for_like import POLICY, row
from benchmarks.run import Emulator, audit, floor


def test_the_like_for_like_audit_reads_no_mailbox_purposes_and_says_so(tmp_path: Path) -> None:
    emulator = Emulator(60, 7, "--without-role", "MailboxSettings.Read")
    try:
        url, token, users = emulator.info["url"], emulator.info["token"], emulator.info["users"]
        a = floor(url, token)
        b = audit(url, token, tmp_path / "reports", 1, POLICY, exits=(3,))
    finally:
        emulator.close()
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    assert [g["part"] for g in report["gaps"]] == ["mailboxSettings"]
    assert report["policies"] == ["contoso-baseline"]
    assert a["users"] == users >= 60 and b["phases"]["collect"] > 0
    cells = row(a, b).strip("|").split("|")
    assert len(cells) == 10 and cells[-1].strip().endswith("MB")
