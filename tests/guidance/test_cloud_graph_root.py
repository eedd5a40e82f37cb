"""A member add's @odata.id names the tenant's own cloud's Graph, in report.json and findings.csv:
a GCC High or 21Vianet tenant's steps never point at the commercial cloud."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.cli import main

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"


@pytest.mark.parametrize(
    ("cloud", "graph"),
    [
        ("worldwide", "https://graph.microsoft.com"),
        ("usgov", "https://graph.microsoft.us"),
        ("usgov-dod", "https://dod-graph.microsoft.us"),
        ("china", "https://microsoftgraph.chinacloudapi.cn"),
    ],
)
def test_member_adds_refer_to_the_clouds_own_graph(tmp_path: Path, cloud: str, graph: str) -> None:
    out = tmp_path / cloud
    main(
        [
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(ROOT / "examples" / "contoso-policy.yaml"),
            "--as-of",
            "2026-11-01T06:00:00Z",
            "--cloud",
            cloud,
            "--format",
            "json,csv",
            "--output-dir",
            str(out),
        ]
    )
    found = set()
    for name in ("report.json", "findings.csv"):
        found |= set(re.findall(r"(https?://[^/\"\s]+)/v1\.0/directoryObjects/", (out / name).read_text("utf-8")))
    assert found == {graph}
