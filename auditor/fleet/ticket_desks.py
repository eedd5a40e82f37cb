"""The PSAs `tickets --psa` files findings in, by the name the tenants file gives each (docs/msp.md,
"Findings as tickets"): each opens its session with the MSP's keys from the environment, checked before
anything is read (UsageError: exit 2), and yields its desk (auditor.billing.psa_desk.Desk)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

from auditor.billing import autotask, connectwise
from auditor.billing.autotask_tickets import AutotaskDesk
from auditor.billing.connectwise_tickets import ConnectWiseDesk
from auditor.billing.psa_desk import Desk
from auditor.vendors.halo import client as halo  # vendor registration
from auditor.vendors.halo.tickets import HaloDesk  # vendor registration

Opens = Callable[[Mapping[str, str], str | None], AbstractContextManager[Desk]]


@contextmanager
def _session(desk: Desk) -> Iterator[Desk]:
    with desk.client:
        yield desk


def _connectwise(env: Mapping[str, str], endpoint: str | None) -> AbstractContextManager[Desk]:
    keys = connectwise.credentials(env)
    return _session(ConnectWiseDesk(connectwise.ConnectWise(keys, endpoint=endpoint)))


def _autotask(env: Mapping[str, str], endpoint: str | None) -> AbstractContextManager[Desk]:
    keys = autotask.credentials(env)
    return _session(AutotaskDesk(autotask.Autotask(keys, endpoint=endpoint)))


def _halo(env: Mapping[str, str], endpoint: str | None) -> AbstractContextManager[Desk]:
    keys = halo.credentials(env)
    return _session(HaloDesk(halo.Halo(keys, endpoint=endpoint)))


DESKS: dict[str, Opens] = {
    "connectwise": _connectwise,
    "autotask": _autotask,
    "halo": _halo,  # vendor registration
}
