"""The demo tenant reads as a real tenant: the hostile names that prove escaping live in the tests'
own fixtures (tests/report/report_fixtures.py, tests/graph/test_untrusted_answers.py), not in the
sample a newcomer's first digest shows."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLE = Path(__file__).parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"


def test_no_name_in_the_sample_tenant_carries_markup() -> None:
    tenant = json.loads(SAMPLE.read_text("utf-8"))
    names = [str(u.get("displayName") or "") for u in tenant["users"]]
    names += [str(g.get("displayName") or "") for g in tenant.get("groups") or []]
    assert len(names) > 200
    assert [n for n in names if set(n) & set("<>\"'`&")] == []
