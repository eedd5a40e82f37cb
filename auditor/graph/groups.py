"""Reading the groups: those the policies name (by display name or id) with their transitive
user members, those that assign licenses, and those with members in a license error state."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any
from urllib.parse import quote

import msgspec

from auditor.common.errors import CollectionError
from auditor.common.numbers import english_count
from auditor.data.model import Gap, Group

from ..snapshot import LICENSE_ERROR_GROUPS, BadValue, UserDecoder, WireGroup, group_kind, group_wire
from .client import GraphRequestError, together
from .collection import EVENTUAL, PAGE_SIZE, ReadState, forbidden_reason
from .counts import count_or_none
from .pacing import MEMBER_UNITS
from .partitions import Check, partition_path, partitions

# groupTypes, membershipRule, onPremisesSyncEnabled and mailEnabled: whether a program may change the
# group's members (not those of a dynamic, on-premises synced or mail-enabled security group)
GROUP_FIELDS = "id,displayName,assignedLicenses,groupTypes,membershipRule,onPremisesSyncEnabled,mailEnabled"
# A member listing of more pages than this (999 members each) is read in partitions, as /users is.
MEMBER_CHAIN_PAGES = 10
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def _listed(doc: object) -> WireGroup | None:
    """A group of Graph's answer (GROUP_FIELDS); None for anything but an object with a string id, CollectionError
    for one whose other fields are not what Graph documents."""
    gid = doc.get("id") if isinstance(doc, dict) else None
    if not isinstance(gid, str):
        return None
    try:
        return group_wire(doc)
    except BadValue as exc:
        raise CollectionError(f"group {gid} has a malformed {exc}") from None


class GroupReads(ReadState):
    async def resolve(self, ref: str) -> WireGroup | None:
        if _GUID.match(ref):
            path = f"/groups/{ref}?$select={GROUP_FIELDS}"
            try:
                doc = await self.client.get(path)
            except GraphRequestError as exc:
                if exc.status == 404:
                    self.gaps.append(Gap("groups", exc.request, f"group id {ref} named in the policies does not exist"))
                    return None
                raise
            group = _listed(doc)
            if group is None:
                raise CollectionError(f"GET {path} returned no group object")
            return group
        literal = ref.replace("'", "''")
        path = f"/groups?$filter={quote(f'displayName eq {chr(39)}{literal}{chr(39)}', safe='')}&$select={GROUP_FIELDS}"
        found: list[Mapping[str, object]] = []
        async for page in self.client.pages(path):
            found.extend(g for g in page if isinstance(g, dict))
        if len(found) == 1 and (one := _listed(found[0])) is not None:
            return one
        request = self.client.describe(self.client.url(path))
        if not found:
            reason = f"no group named {ref!r} exists in the tenant (named in the policies)"
        else:
            ids = ", ".join(sorted(str(g.get("id")) for g in found))
            reason = f"{len(found)} groups are named {ref!r} ({ids}); name the group by object id in the policy"
        self.gaps.append(Gap("groups", request, reason))
        return None

    async def _resolve_within(self, ref: str, limit: asyncio.Semaphore | None) -> WireGroup | None:
        """resolve(ref), as many at once as `limit` or (None) the directory budget's streams allow."""
        async with limit if limit is not None else self.client.pacing.stream(1):  # a unit: one request, $select
            return await self.resolve(ref)

    async def license_groups(self) -> list[Mapping[str, object]]:
        path = (
            "/groups?$filter="
            + quote("assignedLicenses/$count ne 0", safe="/$")
            + f"&$count=true&$select={GROUP_FIELDS}&$top={PAGE_SIZE}"
        )
        first = await self.client.get(path, headers=EVENTUAL)
        what = "GET /groups (assignedLicenses/$count ne 0)"
        next_link = self.client.page_link(first, what, what, set())
        out: list[Mapping[str, object]] = [g for g in first["value"] if isinstance(g, dict)]
        if next_link is not None:
            async for page in self.client.pages(next_link, headers=EVENTUAL):
                out.extend(g for g in page if isinstance(g, dict))
        counted = first.get("@odata.count")
        if isinstance(counted, int) and not isinstance(counted, bool) and len(out) < counted:
            # a listing short of its own count (a page cut, no @odata.nextLink where more groups exist)
            self.progress.note(f"{what} listed {len(out):,} groups while its @odata.count was {counted:,}")
            self.gaps.append(
                Gap(
                    "groups",
                    what,
                    f"listed {len(out):,} licensing groups while its @odata.count was {counted:,}: "
                    f"{english_count(counted - len(out), 'group', 'groups')} may be missing — re-run; if it persists, "
                    "report it",
                )
            )
        return out

    async def license_error_groups(self) -> dict[str, str] | None:
        """id -> displayName of the groups with members in a license error state; None when not
        readable (403: a gap, so the snapshot does not claim that no group has errors). Graph's
        group-list reference filters on it with ConsistencyLevel: eventual and $count=true."""
        path = (
            "/groups?$filter="
            + quote("hasMembersWithLicenseErrors eq true", safe="")
            + f"&$count=true&$select=id,displayName&$top={PAGE_SIZE}"
        )
        out: dict[str, str] = {}
        try:
            async for page in self.client.pages(path, headers=EVENTUAL):
                for g in page:
                    gid = g.get("id") if isinstance(g, dict) else None
                    if not isinstance(gid, str):
                        raise CollectionError(f"GET {path.split('?')[0]} returned a group without an id")
                    name = g.get("displayName")
                    out[gid] = name if isinstance(name, str) else ""
        except GraphRequestError as exc:
            if exc.status == 400 and exc.code == "Request_UnsupportedQuery":
                # Documented, yet refused by some tenants (msgraph-sdk-powershell#2967). The users'
                # licenseAssignmentStates name the failing groups too, so this costs no finding.
                self.progress.note(
                    "Graph refused the hasMembersWithLicenseErrors filter; groups with license "
                    "errors are taken from the users' license assignment states"
                )
                return None
            if exc.status != 403:
                raise
            self.gaps.append(Gap(LICENSE_ERROR_GROUPS, exc.request, forbidden_reason(exc, LICENSE_ERROR_GROUPS)))
            return None
        return out

    async def members(
        self, group_id: str, limit: asyncio.Semaphore | None, relation: str = "transitiveMembers"
    ) -> tuple[str, ...]:
        """The group's user members: transitive (a policy selects by them), or direct (`relation`
        "members": the ones group-based licensing gives the group's licenses to). `limit`: the
        listings at once (--concurrency), or None: as many as the directory budget's streams allow
        (pacing.Pacing.stream, each holding what a page of it costs).

        The first page's @odata.count (the listing asks $count=true) tells how long the listing
        is: one of more than MEMBER_CHAIN_PAGES pages is read in partitions instead
        (_partitioned_members), unless with --concurrency 1; the first page's members are among
        them again (and when the partitions do not do, the listing is read again from its start)."""
        path = f"/groups/{group_id}/{relation}/microsoft.graph.user?$select=id&$top={PAGE_SIZE}&$count=true"
        ids: set[str] = set()
        async with self._member_stream(limit, relation):
            first = await self.client.get(path, headers=EVENTUAL)
            what = f"GET {path.split('?')[0]}"
            next_link = self.client.page_link(first, what, what, set())  # a page, and a link that may be followed
            _add_members(ids, first["value"], path)
            counted = first.get("@odata.count")
        if next_link is None:
            return await self._counted(ids, counted, path, limit, relation)
        if (
            self.streams != 1
            and isinstance(counted, int)
            and not isinstance(counted, bool)
            and math.ceil(counted / PAGE_SIZE) > MEMBER_CHAIN_PAGES
        ):
            found = await self._partitioned_members(path, limit, relation, counted)
            if found is not None:
                return tuple(sorted(found))
            ids, next_link = set(), path  # from the start: the first page's link may have expired meanwhile
        await self._chain(ids, next_link, path, limit, relation)
        return await self._counted(ids, counted, path, limit, relation)

    async def _chain(self, ids: set[str], link: str, path: str, limit: asyncio.Semaphore | None, relation: str) -> None:
        """The members of the listing `path` from `link` on, one page after another, into `ids`."""
        async with self._member_stream(limit, relation):
            async for page in self.client.pages(link, headers=EVENTUAL):
                _add_members(ids, page, path)

    async def _counted(
        self, ids: set[str], counted: object, path: str, limit: asyncio.Semaphore | None, relation: str
    ) -> tuple[str, ...]:
        """The members read, set against the listing's count (its first page's @odata.count) and a
        fresh GET …/$count. A listing short of both (a page cut, `value` empty while the count says
        49) is read once more from its start, as /users is (partitions._proven); short again of
        the count before and a fresh one, it is a gap in groups (exit 3), never a group with fewer
        members."""
        if not isinstance(counted, int) or isinstance(counted, bool) or len(ids) >= counted:
            return tuple(sorted(ids))
        listing = path.split("?")[0]
        check = Check(len(ids), counted, await count_or_none(self.client, listing + "/$count"))
        if not check.short:
            return tuple(sorted(ids))
        self.progress.note(
            f"GET {listing} listed {len(ids):,} members while its count was {_counts(check)}; reading it again"
        )
        ids = set()
        await self._chain(ids, path, path, limit, relation)
        before = check.after if check.after is not None else check.before
        check = Check(len(ids), before, await count_or_none(self.client, listing + "/$count"))
        if check.short:
            self.progress.note(f"GET {listing} listed {len(ids):,} members again while its count was {_counts(check)}")
            self.gaps.append(
                Gap(
                    "groups",
                    f"GET {listing}",
                    f"listed {len(ids):,} members while its count was {_counts(check)}: "
                    f"{english_count(check.short, 'member', 'members')} may be missing, also after reading it "
                    "again — re-run; if it persists, report it",
                )
            )
        return tuple(sorted(ids))

    def _member_stream(self, limit: asyncio.Semaphore | None, relation: str) -> Any:
        """`limit`, or a stream of the directory budget holding what a page of `relation` costs."""
        return limit if limit is not None else self.client.pacing.stream(MEMBER_UNITS[relation])

    async def _partitioned_members(
        self, path: str, limit: asyncio.Semaphore | None, relation: str, before: int
    ) -> set[str] | None:
        """A long member listing read as the partitions of /users (by the first character of the
        members' userPrincipalName, partitions.py), as many at once as `limit` or the budget allow,
        and proven complete as the users are: against the listing's count before (its first
        page's @odata.count) and after (GET …/microsoft.graph.user/$count). None (then it is read
        in one chain) when Graph refuses the filter (400) or the partitions fall short of the
        counts; stderr says so."""
        found: set[str] = set()
        listing = path.split("?")[0]

        async def one(part_path: str) -> None:
            async with self._member_stream(limit, relation):
                async for page in self.client.pages(part_path, headers=EVENTUAL):
                    _add_members(found, page, path)

        try:
            await together(*(one(partition_path(path, part)) for part in partitions()))
        except GraphRequestError as exc:
            if exc.status != 400:
                raise
            self.progress.note(
                f"Graph refused the partitioned read of {listing} ({exc.request} "
                f"answered 400 {exc.code or '(no code)'}); reading it in one chain"
            )
            return None
        after = await count_or_none(self.client, listing + "/$count")
        if Check(len(found), before, after).short:
            counts = f"{before:,}" if after in (None, before) else f"{before:,} then {after:,}"
            self.progress.note(
                f"the partitioned read of {listing} read {len(found):,} members while "
                f"its count was {counts}; reading it again in one chain"
            )
            return None
        return found

    async def groups(self, refs: Sequence[str], decoder: UserDecoder) -> list[Group]:
        try:
            wanted = list(dict.fromkeys(r.strip() for r in refs if r.strip()))
            limit = asyncio.Semaphore(self.concurrency) if self.streams is not None else None
            named, licensed = await asyncio.gather(
                asyncio.gather(*(self._resolve_within(r, limit) for r in wanted)), self.license_groups()
            )
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            self.gaps.append(Gap("groups", exc.request, forbidden_reason(exc)))
            return []
        by_id: dict[str, WireGroup] = {}
        for group in [*named, *map(_listed, licensed)]:
            if group is not None:
                by_id.setdefault(group.id.lower(), group)
        # Membership matters only where a policy selects by group; a group that merely assigns
        # licenses is named by the users' licenseAssignmentStates, so its members are not read
        # (at a million users that saves about a third of all requests).
        selected = {group.id.lower() for group in named if group is not None}
        ordered = sorted(by_id.values(), key=attrgetter("id"))

        async def no_members() -> tuple[str, ...]:
            return ()

        async def no_direct() -> None:
            return None

        # A group a policy selects by that also assigns licenses: its direct members too, so a member
        # without the group's copy tells whether the membership is through a nested group (which
        # group-based licensing does not follow) or direct (the group's copy is not applied yet).
        licensing = {g.id.lower() for g in ordered if g.assignedLicenses}
        try:
            members, direct = await asyncio.gather(
                asyncio.gather(
                    *(self.members(g.id, limit) if g.id.lower() in selected else no_members() for g in ordered)
                ),
                asyncio.gather(
                    *(
                        self.members(g.id, limit, "members") if g.id.lower() in selected & licensing else no_direct()
                        for g in ordered
                    )
                ),
            )
        except GraphRequestError as exc:
            if exc.status not in (403, 404):
                raise
            self.gaps.append(Gap("groups", exc.request, forbidden_reason(exc)))
            return []
        out = []
        for g, ids, read_direct in zip(ordered, members, direct, strict=True):
            out.append(
                Group(
                    g.id,
                    g.displayName or "",
                    decoder.licenses(g.assignedLicenses),
                    ids,
                    direct_members=_shared(read_direct, ids),
                    **group_kind(g),
                )
            )
        return out


def _counts(check: Check) -> str:
    """The count a listing was held to, or the two when they differ ("49 then 50")."""
    return f"{check.before:,}" + ("" if check.after in (None, check.before) else f" then {check.after:,}")


def _add_members(ids: set[str], page: list[Any], path: str) -> None:
    """The ids of a page of a member listing, into `ids`; CollectionError for a member without one."""
    for m in page:
        mid = m.get("id") if isinstance(m, dict) else None
        if not isinstance(mid, str):
            raise CollectionError(f"GET {path.split('?')[0]} returned a member without an id")
        ids.add(mid)


def _shared(direct: tuple[str, ...] | None, transitive: tuple[str, ...]) -> tuple[str, ...] | None:
    """The direct members as the transitive members' own strings (direct members are among them):
    at a million users a licensing group's two lists would otherwise hold every id twice (~45 MB)."""
    if direct is None or direct == transitive:
        return None if direct is None else transitive
    own = {m: m for m in transitive}
    return tuple(own.get(m, m) for m in direct)


def mark_license_errors(groups: list[Group], flagged: dict[str, str]) -> list[Group]:
    """Every group gets hasMembersWithLicenseErrors; a flagged group the other reads did not
    return (its licenses were removed, but removing them failed for some members) is added."""
    wanted = {gid.lower(): (gid, name) for gid, name in flagged.items()}
    out = [
        msgspec.structs.replace(g, has_members_with_license_errors=wanted.pop(g.id.lower(), None) is not None)
        for g in groups
    ]
    out += [Group(gid, name, has_members_with_license_errors=True) for gid, name in wanted.values()]
    return sorted(out, key=attrgetter("id"))
