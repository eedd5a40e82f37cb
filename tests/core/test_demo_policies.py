"""The many-tenant demo's Contoso policy (auditor_dev/sample/contoso-msp-policy.yaml) is the example policy
`audit --demo` runs with one line more, three spare F3 seats, which the many-tenant demo buys at the sample's
Pax8 (issue 108): the two files may not drift apart, or the many-tenant Contoso would differ in more than the
purchase."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPARE_F3 = "    spare_seats: {min: 3}"


def _body(path: Path) -> list[str]:
    """The file's lines after its opening comments (what each file says of itself)."""
    lines = path.read_text("utf-8").splitlines()
    return lines[next(i for i, line in enumerate(lines) if not line.startswith("#")) :]


def test_contosos_many_tenant_policy_is_the_example_with_three_spare_f3() -> None:
    example = _body(ROOT / "examples" / "contoso-policy.yaml")
    msp = _body(ROOT / "auditor_dev" / "sample" / "contoso-msp-policy.yaml")
    added = [line for line in msp if line.startswith(SPARE_F3)]
    assert len(added) == 1 and msp[msp.index(added[0]) - 1] == "  - sku: SPE_F1"
    assert [line for line in msp if line not in added] == example
