"""A finding's subject, SKUs and details, read defensively.

Details come from report.json and may be partial or come from an older or newer engine, so
every accessor has a fallback instead of raising. Values stay plain text: escaping is the
renderers' job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

# a rule's own details (covariant: a helper typed by a few shared keys takes any rule's that has them):
# the TypedDict beside the rule (auditor/rules/assignments/combination.py: SkuCombinationForbiddenDetails),
# which the rule writes (Rule[D]) and its texts read, so mypy finds a renamed key on both sides
D = TypeVar("D", bound=Mapping[str, object], covariant=True)
USER_ID_PLACEHOLDER = "{user-id}"  # a path segment for a user the report has no id or UPN for
GROUP_ID_PLACEHOLDER = "{group-id}"


def as_map(value: Any) -> Mapping[str, Any]:
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def as_strs(value: Any) -> tuple[str, ...]:
    if type(value) is list and all(type(v) is str and v for v in value):  # the usual case, checked cheaply
        return tuple(value)
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, Sequence | set | frozenset):
        return tuple(str(v) for v in value if v is not None and str(v) != "")
    return ()


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_text(value: Any) -> str | None:
    if type(value) is str:
        return value or None
    if value is None or isinstance(value, Mapping | list | tuple):
        return None
    text = str(value)
    return text or None


def subject_label(subject: Mapping[str, Any]) -> str:
    """How the texts name a finding's subject: `display_name (upn)` for a user when both are
    present and differ, else upn, display_name or id; `sku (id)` for a subscription; else sku,
    display_name or id."""
    get = subject.get
    kind, name = as_text(get("type")) or "user", as_text(get("display_name"))
    if kind == "user":
        upn = as_text(get("upn"))
        if name and upn and name != upn:
            return f"{name} ({upn})"
        return upn or name or as_text(get("id")) or "?"
    sid, sku = as_text(get("id")), as_text(get("sku"))
    if kind == "subscription" and sku and sid:
        return f"{sku} ({sid})"
    return sku or name or sid or "?"


def waiver_label(subject: Mapping[str, Any]) -> str:
    """A waiver as a reader knows it, "<rule>:<subject>": its id ("<rule>:<subject>[:<part number>]",
    auditor.rules.waivers) less the part number of the product it names, which the report shows by name
    beside it. A waiver's subject is a user id, a UPN or a part number, none of which holds a colon."""
    sid = as_text(subject.get("id")) or ""
    rule, _, rest = sid.partition(":")
    return f"{rule}:{rest.rpartition(':')[0]}" if ":" in rest else sid


def subject_ref(subject: Mapping[str, Any]) -> str:
    """The path segment that names the user in Graph: object id, else UPN, else a placeholder
    (the calls that hold it are not ready)."""
    return as_text(subject.get("id")) or as_text(subject.get("upn")) or USER_ID_PLACEHOLDER


def number(value: Any, fallback: str) -> str:
    """Ints stay plain (no grouping); anything else falls back."""
    n = as_int(value)
    if n is not None:
        return str(n)
    if isinstance(value, float):
        return f"{value:g}"
    return fallback


def iso_date(value: Any) -> str | None:
    text = as_text(value)
    return text[:10] if text else None


class Details:
    """Everything the guidance needs to know about one finding."""

    def __init__(self, subject: Mapping[str, Any], skus: Sequence[str], details: Mapping[str, Any]) -> None:
        self.subject = as_map(subject)
        self.skus = as_strs(skus)
        self.details = as_map(details)
        self._groups = as_map(self.details.get("assigned_by_group"))
        self._group_ids = as_map(self.details.get("assigned_by_group_ids"))
        self._sku_ids = as_map(self.details.get("sku_ids"))
        self._also_direct = frozenset(as_strs(self.details.get("also_direct")))
        self._label: str | None = None

    # --- subject ---------------------------------------------------------------------------

    @property
    def subject_type(self) -> str:
        return as_text(self.subject.get("type")) or "user"

    @property
    def user_ref(self) -> str:
        """The path segment that names the user in Graph: object id, else UPN."""
        return subject_ref(self.subject)

    def label(self) -> str:
        if self._label is None:
            self._label = subject_label(self.subject)
        return self._label

    @property
    def subject_sku(self) -> str:
        return as_text(self.subject.get("sku")) or (self.skus[0] if self.skus else "?")

    # --- licenses --------------------------------------------------------------------------

    def groups(self, part: str) -> tuple[str, ...]:
        """Display names of the groups that assign `part`; empty = assigned directly (or unknown)."""
        return as_strs(self._groups.get(part))

    def group_ids(self, part: str) -> tuple[str, ...]:
        return as_strs(self._group_ids.get(part))

    def group_kind(self, gid: str) -> tuple[str, str] | None:
        """(kind, membership rule) of a group whose members no program may change: dynamic, synced,
        mail or unknown (details.group_kinds, or the "kind" of replace_group or of a licensing_group
        entry). None for a group whose members a membership call changes. A report without the
        groups' kinds (an older engine) makes every group's kind unknown: unknown is never taken for
        "may be changed"."""
        join = as_map(self.details.get("replace_group"))
        if as_text(join.get("id")) == gid and "kind" in join:
            kind = as_text(join.get("kind"))
            return None if kind == "assigned" else (kind or "unknown", as_text(join.get("rule")) or "")
        for entry in as_map(self.details.get("licensing_group")).values():  # the group a fix joins
            entry = as_map(entry)
            if as_text(entry.get("id")) == gid and "kind" in entry:
                kind = as_text(entry.get("kind"))
                return None if kind == "assigned" else (kind or "unknown", as_text(entry.get("rule")) or "")
        kinds = self.details.get("group_kinds")
        if not isinstance(kinds, Mapping):
            return "unknown", ""
        found = kinds.get(gid)
        if found is None:
            return None
        found = as_map(found)
        return as_text(found.get("kind")) or "unknown", as_text(found.get("rule")) or ""

    def group_licenses(self, gid: str) -> tuple[str, ...]:
        """The part numbers group `gid` gives when it gives more than the finding's products
        (details.group_licenses); empty otherwise."""
        return as_strs(as_map(self.details.get("group_licenses")).get(gid))

    def direct(self, parts: Sequence[str]) -> list[str]:
        """The parts held directly: those no group assigns, and those held from a group and
        directly at once (`also_direct`), which removing also takes an assignLicense call for."""
        return [p for p in parts if not self.groups(p) or p in self._also_direct]

    def grouped(self, parts: Sequence[str]) -> list[str]:
        return [p for p in parts if self.groups(p)]

    def sku_id(self, part: str) -> str:
        """The skuId GUID of a part number, or a visible placeholder when the report lacks it."""
        known = as_text(self._sku_ids.get(part))
        if known:
            return known
        if part == as_text(self.details.get("replace_with")):
            rid = as_text(self.details.get("replace_with_id"))
            if rid:
                return rid
        # A seat finding's subject is the subscribedSku itself: its id is the skuId.
        if self.subject_type == "sku" and part == as_text(self.subject.get("sku")) and as_text(self.subject.get("id")):
            return str(self.subject["id"])
        return f"<skuId of {part}>"

    def text(self, key: str) -> str | None:
        return as_text(self.details.get(key))

    def strs(self, key: str) -> tuple[str, ...]:
        return as_strs(self.details.get(key))

    def int(self, key: str) -> int | None:
        return as_int(self.details.get(key))


class Lenient(dict[str, Any]):
    """A finding's details where an absent key reads as None (an older report, a partial one):
    `details["key"]` never raises, and every value still goes through as_text, as_strs, ..."""

    def __missing__(self, key: str) -> None:
        return None


class RuleDetails(Details, Generic[D]):
    """A finding's facts with the rule's own details typed: `own` is `details` read through the
    rule's TypedDict (the rule module's; its texts read `f.own["key"]`, which mypy checks against it,
    and an absent key reads as None). The shared keys stay Details' accessors."""

    @cached_property
    def own(self) -> D:
        return cast(D, Lenient(self.details))
