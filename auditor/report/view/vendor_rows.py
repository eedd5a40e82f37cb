"""What the lines of the MSP's systems share under the seats table (auditor.report.view.distributor_rows,
psa_rows): what they need of a rendering, the block's heading naming the system, and the opening that
decides before any finding: nothing without the system, and a reading that failed in one line (mailed
to the customer: none, the gap is the MSP's: its file of the run, its stderr, the roll-up). Each side
says its own words (the texts stay in its module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from msgspec import UnsetType

from auditor.data.model import Locale
from auditor.i18n import Translations
from auditor.render.text import clean
from auditor.report.view.context import TEXT_LIMIT
from auditor.vendors.registry import NAMES


class LineContext(Protocol):
    """What the lines need of a rendering (auditor.report.view.context.RenderContext, and the license
    list's message: auditor.fleet.lists)."""

    @property
    def t(self) -> Translations: ...
    @property
    def locale(self) -> Locale: ...
    def num(self, value: object) -> str: ...
    def money(self, amount: object, currency: str | None) -> str: ...
    def product_name(self, part: str) -> str: ...


class Read(Protocol):
    """A system's section of report.json as the opening reads it (DistributorSection, PsaSection)."""

    @property
    def error(self) -> str | UnsetType: ...
    @property
    def mailed_to_customer(self) -> bool | UnsetType: ...


def title(key: str | None, said: Callable[[str], str]) -> str:
    """The block's heading: `said` of the system's name (`key` by the name it goes by); "" without one."""
    if key is None:
        return ""
    return said(clean(NAMES.get(key, key), 40))


def opening(section: Read | None, unread: Callable[[str], str]) -> tuple[str, ...] | None:
    """The lines decided before any finding: () without the system, or when it could not be read and the
    report is mailed to the customer; the reading's error as `unread` says it; None: the findings follow."""
    if section is None or (section.error and section.mailed_to_customer is True):
        return ()
    if section.error:
        return (unread(clean(section.error, TEXT_LIMIT)),)
    return None
