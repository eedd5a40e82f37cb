"""report.json is decoded by one module (issue 119): auditor.formats.report_model's ReportDocument and its
parts. A private partial Struct elsewhere that decodes report.json again is a mirror that drifts from it.
Three modules still hold such mirrors (tickets, invoice_reads, distributor_rederive: 11 Structs when the
issue was filed); this holds that none is added and their count only goes down, until they read
ReportDocument too and the list below is empty."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# the model and its one reader (auditor.formats.report_json: _Version reads the schema version first)
THE_DECODER = {"auditor/formats/report_model.py", "auditor/formats/report_json.py"}
# modules that name report.json and decode something else with their private Structs
NOT_REPORT = {
    "auditor/apply/distributor.py": "its Structs decode plan.json's bill",
    "auditor/apply/psa.py": "its Structs decode plan.json's bill",
}
# the mirrors left, by module: lower a count as a mirror goes, never raise one or add a module
LEFT = {
    "auditor/distributor/distributor_rederive.py": 3,
}


def _is_struct(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(b, ast.Name) and b.id == "Struct") or (isinstance(b, ast.Attribute) and b.attr == "Struct")
        for b in node.bases
    )


def mirrors(root: Path) -> dict[str, int]:
    """Per module that decodes report.json (names it and calls a decode), its private msgspec Structs."""
    found: dict[str, int] = {}
    for path in sorted((root / "auditor").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        text = path.read_text("utf-8")
        if name in THE_DECODER or name in NOT_REPORT or "report.json" not in text or "decode(" not in text:
            continue
        tree = ast.parse(text)
        count = sum(
            1
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and node.name.startswith("_") and _is_struct(node)
        )
        if count:
            found[name] = count
    return found


def test_report_json_is_decoded_by_one_module() -> None:
    found = mirrors(ROOT)
    grown = {name: count for name, count in found.items() if count > LEFT.get(name, 0)}
    assert grown == {}, "decode report.json with ReportDocument (auditor.formats.report_model), not a mirror"
    gone = {name: (LEFT[name], found.get(name, 0)) for name in LEFT if found.get(name, 0) < LEFT[name]}
    assert gone == {}, "a mirror went: lower its count in LEFT"


def test_a_planted_mirror_is_found(tmp_path: Path) -> None:
    module = tmp_path / "auditor" / "fleet" / "planted.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import msgspec\n\n\nclass _Seats(msgspec.Struct):\n    skus: list[str] = []\n\n\n"
        "def seats(data: bytes) -> _Seats:\n    return msgspec.json.decode(data, type=_Seats)  # report.json\n",
        "utf-8",
    )
    assert mirrors(tmp_path) == {"auditor/fleet/planted.py": 1}
