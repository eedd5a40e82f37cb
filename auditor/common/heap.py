"""The C library's freed memory given back to the system while an audit runs (glibc; elsewhere nothing).

Python keeps its small objects in arenas of its own and asks the C library (malloc) for every
block over 512 bytes: a Graph page's body (about 1 MB), a decoded page's lists, a line of the kept
sign-in read. glibc maps a block that large on its own at first, but each one freed raises the size
it maps from (up to 32 MiB), so the collection's later pages come from its heap, and a block freed
inside the heap stays resident: free memory the evaluation cannot use, since its objects are
Python's small ones, in Python's own arenas. So an audit has blocks of LARGE bytes or more mapped on
their own (returned to the system when freed), and gives back what the heap holds free once the
collection is done (docs/performance.md, "What the code's shapes save").
"""

from __future__ import annotations

import ctypes
import functools
import sys

__all__ = ["LARGE", "give_back", "map_large_blocks"]

LARGE = 128 * 1024  # bytes: glibc's own first mmap threshold (DEFAULT_MMAP_THRESHOLD_MIN), kept
_M_MMAP_THRESHOLD = -3  # mallopt(3)'s parameter number (glibc's malloc.h)


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The process's C library when it is glibc (mallopt and malloc_trim), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the symbols the process has loaded: its C library's among them
    except OSError:
        return None
    if not all(hasattr(libc, name) for name in ("mallopt", "malloc_trim", "gnu_get_libc_version")):
        return None
    return libc


def map_large_blocks() -> None:
    """Blocks of LARGE bytes or more are mapped on their own from now on, and unmapped when freed
    (mallopt M_MMAP_THRESHOLD: glibc then no longer raises it as blocks are freed)."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE)


def give_back() -> None:
    """The heap's free memory given back to the system (malloc_trim: its free pages, not only its top)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
