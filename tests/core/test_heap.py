"""What an audit frees in the C heap goes back to the system (auditor.common.heap): blocks the size of a
Graph page are mapped on their own, and the heap's free pages are given back after the collection.

Each case runs in a fresh interpreter: the heap of the test process is whatever the tests before left."""

from __future__ import annotations

import subprocess
import sys

import pytest

from auditor.common import heap

pytestmark = pytest.mark.skipif(heap._glibc() is None, reason="glibc's malloc only")

# page-sized blocks freed between small ones kept (as a collection leaves them, so that they cannot
# merge into the heap's top); prints the resident MiB, then the heap's free MiB, after `STEP`
_CASE = """
import ctypes
from auditor.common import heap
MiB = 1 << 20
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                               "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = heap._glibc()
libc.mallinfo2.restype = Info
def resident():
    with open("/proc/self/status") as status:
        return int(next(ln for ln in status if ln.startswith("VmRSS:")).split()[1]) // 1024
libc.mallopt(-3, 16 * MiB)  # glibc serves a page-sized block from its heap once one was freed
STEP_BEFORE
kept, big = [], []
for _ in range(48):
    block = bytearray(MiB)
    block[::4096] = b"x" * len(block[::4096])  # resident, as a page's body is
    big.append(block)
    kept.append(bytearray(600))  # over 512 bytes: malloc's, not Python's own arenas
del big
STEP_AFTER
print(resident(), libc.mallinfo2().fordblks // MiB)
"""


def _run(before: str = "", after: str = "") -> tuple[int, int]:
    code = _CASE.replace("STEP_BEFORE", before).replace("STEP_AFTER", after)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


def test_give_back_returns_the_heaps_free_pages() -> None:
    held, free = _run()
    given, _ = _run(after="heap.give_back()")
    assert free >= 40  # the freed blocks, free in the heap and resident
    assert held - given >= 32


def test_page_sized_blocks_are_mapped_on_their_own() -> None:
    _, free = _run(before="heap.map_large_blocks()")
    assert free < 8  # unmapped when freed, not left free in the heap
