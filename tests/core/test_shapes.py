"""Typed decoding is safe in threads (auditor.common.shapes).

msgspec works a type out on its first decode and keeps it on the type; two threads doing that for the
same type at once killed `audit --demo --tenants` by signal 11 (a CI run of
tests/delivery/test_workflow_kept_reads.py, faulthandler's traceback in `ReportFinding.__post_init__`).
These tests hold the three parts of the fix: the first use of each type is made under one lock, a
script that races fresh types through it from six threads lives (the same script calling msgspec
directly died in 8 runs of 8 on this machine), and no module of the product decodes to a type any
other way."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import TracebackType

import msgspec
import pytest

from auditor.common import shapes

ROOT = Path(__file__).resolve().parents[2]


class _Counted:
    """A lock that counts how often it was taken."""

    def __init__(self) -> None:
        self.taken = 0
        self._lock = threading.RLock()

    def __enter__(self) -> None:
        self.taken += 1
        self._lock.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._lock.release()


def test_only_the_first_use_of_a_type_takes_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    class Seat(msgspec.Struct):
        sku: str
        seats: int = 0

    counted = _Counted()
    monkeypatch.setattr(shapes, "_LOCK", counted)
    assert shapes.convert({"sku": "E5", "seats": 2}, Seat) == Seat("E5", 2)
    assert shapes.decode(b'{"sku": "E3"}', Seat) == Seat("E3")
    assert shapes.decoder(Seat).decode(b'{"sku": "F3"}') == Seat("F3")
    assert counted.taken == 1
    assert shapes.convert([{"sku": "E5"}], list[Seat]) == [Seat("E5")]  # another type form: its own first use
    assert counted.taken == 2


def test_a_failed_first_use_is_made_under_the_lock_again(monkeypatch: pytest.MonkeyPatch) -> None:
    class Price(msgspec.Struct):
        monthly: float

    counted = _Counted()
    monkeypatch.setattr(shapes, "_LOCK", counted)
    with pytest.raises(msgspec.ValidationError):
        shapes.convert({"monthly": "free"}, Price)
    assert shapes.convert({"monthly": 2.5}, Price) == Price(2.5)
    assert counted.taken == 2


RACE = """
import sys, threading, types
sys.setswitchinterval(1e-6)  # a thread switch between almost any two bytecodes
from auditor.common import shapes

for n in range(150):
    module = types.ModuleType(f"race{n}")
    sys.modules[module.__name__] = module
    source = "import msgspec\\nfrom typing import Optional\\n"
    for i in range(8):
        fields = "".join(f"    f{j}: Optional[int] = None\\n" for j in range(30))
        source += f"class S{i}(msgspec.Struct):\\n{fields}    nxt: Optional['S{i + 1}'] = None\\n"
    source += "class S8(msgspec.Struct):\\n    x: int = 0\\n"
    exec(source, module.__dict__)
    start = threading.Barrier(6)

    def work(k):
        start.wait()
        shapes.convert({"f1": 1, "nxt": {"f2": 2}}, module.__dict__[f"S{k % 4}"])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print("lived")
"""


def test_six_threads_decoding_fresh_types_at_once_live() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(RACE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "lived"


def _typed_decodes(tree: ast.AST) -> list[int]:
    """The lines that decode to a type through msgspec itself: msgspec.convert, msgspec.json.Decoder, and
    msgspec.json.decode or msgspec.msgpack.decode given a type."""
    found = []
    for node in ast.walk(tree):
        imported = {a.name for a in node.names} if isinstance(node, ast.ImportFrom) else set()
        if imported & {"convert", "decode", "Decoder"} and (getattr(node, "module", "") or "").startswith("msgspec"):
            found.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        typed = any(k.arg == "type" for k in node.keywords)
        if name in ("msgspec.convert", "msgspec.json.Decoder", "msgspec.msgpack.Decoder") or (
            name in ("msgspec.json.decode", "msgspec.msgpack.decode") and typed
        ):
            found.append(node.lineno)
    return found


def test_the_product_decodes_to_a_type_only_through_shapes() -> None:
    own = ROOT / "auditor" / "common" / "shapes.py"
    outside = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "auditor").rglob("*.py"))
        if path != own and (lines := _typed_decodes(ast.parse(path.read_text("utf-8"))))
    }
    assert outside == {}
    assert _typed_decodes(ast.parse(own.read_text("utf-8")))  # the check finds what it looks for
