"""report.json is decoded by one module (issue 119): auditor.formats.report_json's decode_report, into
auditor.formats.report_model's ReportDocument and its parts. A Struct of another module that decodes
report.json again is a mirror that drifts from it (tickets, invoice_reads and distributor_rederive held 11
when the issue was filed: a field renamed in the model and not in a mirror read as absent). A reader that
needs a few fields decodes the whole document: decode_report costs about 5 ms and 1.2 MiB at its peak for
the demo's largest report (424 KiB), and less than the tickets' mirror did, which decoded each finding again.

The rule, on every module of auditor/ outside auditor/formats (the files' models and readers) that names
report.json: none of its own msgspec Structs is handed to
a decoder (msgspec's decode, convert, Decoder; auditor.common.shapes'), and none is a private one (a mirror
kept for a decode elsewhere in the module), unless the module is listed below with what its Structs decode.
Nor does a function that names report.json parse a file as plain JSON (json.load, or json.loads / orjson.loads
of a file's text read there): a few fields dug out of the dicts are a mirror too, without a Struct (the
lanes' planner read summary.users.total so until issue 119's check).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# the files' models and readers: report_model, and its one reader report_json (_Version reads the schema
# version first); bill_model's Bill is report.json's `bill`, one definition that ReportDocument holds
FORMATS = "auditor/formats/"
# modules that name report.json and decode something else with their own Structs
NOT_REPORT = {
    "auditor/apply/distributor.py": "its Structs decode plan.json's bill",
    "auditor/apply/psa.py": "its Structs decode plan.json's bill",
}
_DECODERS = {"decode", "convert", "Decoder", "decoder"}


def _structs(tree: ast.Module) -> set[str]:
    """The module's msgspec Structs: classes based on Struct, or on one of its own Structs."""
    found: set[str] = set()
    grown = True
    while grown:
        grown = False
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name not in found:
                bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                if "Struct" in bases or bases & found:
                    found.add(node.name)
                    grown = True
    return found


def _decoded(tree: ast.Module, own: set[str]) -> set[str]:
    """The module's own Structs it hands to a decoder, as the type (also inside list[...], X | None)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in _DECODERS:
            continue
        given = node.args if name in {"Decoder", "decoder"} else node.args[1:]
        for kind in [*given, *(k.value for k in node.keywords if k.arg == "type")]:
            found |= {n.id for n in ast.walk(kind) if isinstance(n, ast.Name) and n.id in own}
    return found


def mirrors(root: Path) -> dict[str, list[str]]:
    """Per module that names report.json, the Structs of its own that mirror it (module docstring)."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / "auditor").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        text = path.read_text("utf-8")
        if name.startswith(FORMATS) or name in NOT_REPORT or "report.json" not in text:
            continue
        tree = ast.parse(text)
        own = _structs(tree)
        private = {s for s in own if s.startswith("_")} if "decode(" in text else set()
        named = sorted(_decoded(tree, own) | private)
        if named:
            found[name] = named
    return found


def _reads_a_file(call: ast.Call) -> bool:
    """json.load(f), or json.loads / orjson.loads of a file's text read in the call (read_text, read_bytes, read)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return False
    if func.value.id not in ("json", "orjson") or func.attr not in ("load", "loads"):
        return False
    reads = {"read_text", "read_bytes", "read"}
    return func.attr == "load" or any(
        isinstance(n, ast.Call) and getattr(n.func, "attr", "") in reads for a in call.args for n in ast.walk(a)
    )


def plain_reads(root: Path) -> list[str]:
    """The functions outside auditor/formats that name report.json and parse a file as plain JSON."""
    found = []
    for path in sorted((root / "auditor").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        text = path.read_text("utf-8")
        if name.startswith(FORMATS) or "report.json" not in text:
            continue
        for fn in ast.walk(ast.parse(text)):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nodes = list(ast.walk(fn))
            names = any(isinstance(n, ast.Constant) and str(n.value).endswith("report.json") for n in nodes)
            if names and any(isinstance(n, ast.Call) and _reads_a_file(n) for n in nodes):
                found.append(f"{name}:{fn.name}")
    return found


def test_report_json_is_decoded_by_one_module() -> None:
    found = mirrors(ROOT)
    assert found == {}, "decode report.json with decode_report (auditor.formats.report_json), not a mirror"
    assert plain_reads(ROOT) == [], "read report.json with decode_report, not as plain JSON"


def test_every_module_excused_exists_and_names_report_json() -> None:
    """An excuse outlives its module only by mistake: each listed module is there and still names report.json."""
    stale = [n for n in sorted(NOT_REPORT) if "report.json" not in (ROOT / n).read_text("utf-8")]
    assert stale == []


def _plant(root: Path, package: str, text: str) -> None:
    """A module `auditor/<package>/planted.py` under `root`, holding `text`."""
    module = root / "auditor" / package / "planted.py"
    module.parent.mkdir(parents=True)
    module.write_text(text, "utf-8")


def test_a_planted_private_mirror_is_found(tmp_path: Path) -> None:
    _plant(
        tmp_path,
        "fleet",
        "import msgspec\n\n\nclass _Seats(msgspec.Struct):\n    skus: list[str] = []\n\n\n"
        "def seats(data: bytes) -> _Seats:\n    return msgspec.json.decode(data, type=_Seats)  # report.json\n",
    )
    assert mirrors(tmp_path) == {"auditor/fleet/planted.py": ["_Seats"]}


def test_a_planted_public_mirror_is_found_through_its_parts(tmp_path: Path) -> None:
    """A public Struct handed to shapes.decode, inside a list, based on another of the module's: found."""
    _plant(
        tmp_path,
        "fleet",
        "from msgspec import Struct\nfrom auditor.common import shapes\n\n\n"
        "class Row(Struct):\n    sku: str\n\n\nclass SeatRow(Row):\n    enabled: int = 0\n\n\n"
        "class JournalLine(Struct):\n    at: str\n\n\n"
        "def seats(data: bytes) -> list[SeatRow]:  # report.json's skus\n"
        "    return shapes.decode(data, list[SeatRow] | None) or []\n",
    )
    assert mirrors(tmp_path) == {"auditor/fleet/planted.py": ["SeatRow"]}


def test_a_planted_plain_read_is_found(tmp_path: Path) -> None:
    """A function that digs a field out of report.json parsed as plain JSON is found; one that parses a
    tenants entry's block beside its read of report.json is not (it reads no file as JSON)."""
    _plant(
        tmp_path,
        "delivery",
        "import json\nfrom pathlib import Path\n\n\n"
        "def users(folder: Path) -> int:\n"
        "    return json.loads((folder / 'report.json').read_text('utf-8'))['summary']['users']['total']\n\n\n"
        "def block(folder: Path, psa: str) -> object:\n"
        "    (folder / 'report.json').read_bytes()\n"
        "    return json.loads(psa)\n",
    )
    assert plain_reads(tmp_path) == ["auditor/delivery/planted.py:users"]
