"""The sessions a write opens in the vendors of one registry (apply --psa's PSAs, apply --distributor's
distributors, and their undo), written once for both.

    sessions_for(vendors, sources, endpoints, env)   a session in each vendor of `vendors` that `sources` names,
                                                     the MSP's keys for each read first (a missing one is a
                                                     UsageError before anything is read or opened), all closed
                                                     after; a name the registry does not hold is left out
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

Session = TypeVar("Session", covariant=True)


class Opens(Protocol[Session]):
    """A vendor as far as a session is opened in it: its keys read from the environment (checked), and a
    session with them."""

    def credentials(self, env: Mapping[str, str]) -> object: ...
    def session(self, env: Mapping[str, str], endpoint: str | None) -> AbstractContextManager[Session]: ...


@contextlib.contextmanager
def sessions_for(
    vendors: Mapping[str, Opens[Session]],
    sources: set[str],
    endpoints: Mapping[str, str | None],
    env: Mapping[str, str],
) -> Iterator[dict[str, Session]]:
    """A session in each vendor of `vendors` that `sources` names (by name, in their order), with the MSP's
    keys for it from `env`, all read before the first session opens; closed after."""
    names = sorted(sources & set(vendors))  # another: refused
    for name in names:
        vendors[name].credentials(env)
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(vendors[name].session(env, endpoints.get(name))) for name in names}
