"""Lookups built once per audit so that every rule runs in time linear in the tenant.

Users are addressed by their position in `snapshot.users`. A population (who a policy entry
applies to) is either ALL or a set of positions; users are grouped by their exact set of SKUs,
since tenants have millions of users but only a handful of distinct license layouts.

A test on what users share (attributes, licenses: auditor.data.model.Profile) is made once per
profile, and the positions that pass are picked out with itertools.compress (`offenders`: a
rule says which properties it reads, and the index decides whether one answer per profile holds).
"""

from __future__ import annotations

import fnmatch
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from itertools import chain, compress, count, filterfalse
from operator import attrgetter, itemgetter, methodcaller
from typing import Any, TypeVar

from auditor.data.account_kinds import ROOMS, resource_signal, signed_in_interactively
from auditor.data.agents import AGENT_USERS
from auditor.data.enums import AccountKind
from auditor.data.model import Profile, Sku, Subscription, TenantSnapshot, User
from auditor.data.positions import AllBut, Positions
from auditor.data.usage_data import REPORTS, STORAGE_REPORTS, USAGE_REPORTS, UserUsage
from auditor.policy.objects import DeclaredKind, Selector

Population = Positions | AllBut | None  # None = every user

# The Graph user properties a Profile carries: a test that reads only these gives the same answer
# for every user of a profile (TenantIndex.offenders asks it once per profile). The agent users and
# the places listing's rooms are folded into the profile too (Profile.agent, Profile.mailbox_purpose).
_PROFILE_PROPERTIES = ("accountEnabled", "userType", "department", "usageLocation", "mailboxSettings")
SHARED_READS = frozenset((*_PROFILE_PROPERTIES, "assignedLicenses", "licenseAssignmentStates", AGENT_USERS, ROOMS))
T = TypeVar("T")


def _positions() -> array[int]:
    return array("I")


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def _glob_test(lowered: list[str]) -> Callable[[Any], Any]:
    """A test of lower-cased text against case-insensitive globs (lower-cased): `endswith` when
    every pattern is `*` + literal text (the usual `*@domain`), which runs several times faster
    than the regular expression fnmatch gives, otherwise that expression."""
    if all(p.startswith("*") and not any(c in p[1:] for c in "*?[") for p in lowered):
        ends = tuple(p[1:] for p in lowered)
        return methodcaller("endswith", ends)
    expression = "|".join(fnmatch.translate(p) for p in lowered)
    return re.compile(expression).match


_ID, _UPN = attrgetter("id"), attrgetter("user_principal_name")


def _upn_positions(users: Sequence[User], patterns: Iterable[str]) -> array[int]:
    """Positions of the users whose UPN matches one of the globs, case-insensitively."""
    test = _glob_test([p.lower() for p in patterns])
    return array("I", compress(count(), map(test, map(str.lower, map(_UPN, users)))))


def is_guid(text: str) -> bool:
    return bool(_GUID.match(text))


class TenantIndex:
    def __init__(self, snapshot: TenantSnapshot) -> None:
        self.snapshot = snapshot
        self.users: Sequence[User] = snapshot.users
        self.sku_by_id: dict[str, Sku] = {s.sku_id.lower(): s for s in snapshot.skus}
        self.sku_by_part: dict[str, Sku] = {s.sku_part_number.lower(): s for s in snapshot.skus}
        self.group_name: dict[str, str] = {g.id: g.display_name for g in snapshot.groups}
        self.warnings: list[str] = []
        self._by_group: dict[str, array[int]] = {}  # group id -> its members' positions (_group_positions)
        # the users' distinct profiles, numbered, and each user's profile number (the decoder gives
        # users alike one Profile object; equal profiles that are distinct objects just get two numbers)
        self.profiles: list[Profile] = []
        self.profile_of = array("I")
        # (profile, the user's own part of its kind) -> number: the kind of an account the department or
        # the resource license calls a resource account rests on its own sign-ins too (account_kind), so
        # such users of one profile who differ there are numbered apart; every other profile is one number
        number: dict[tuple[int, bool], int] = {}
        signal: dict[int, bool] = {}
        for user in self.users:
            profile = user.profile
            hinted = signal.get(id(profile))
            if hinted is None:
                hinted = signal[id(profile)] = resource_signal(profile.department, profile.sku_ids)
            key = (id(profile), hinted and signed_in_interactively(user.last_sign_in_date_time))
            found = number.get(key)
            if found is None:
                found = number[key] = len(self.profiles)
                self.profiles.append(profile)
            self.profile_of.append(found)
        # positions as 4-byte arrays: a list of a million ints is 36 MB, an array 4 MB
        self._by_profile: list[array[int]] = [array("I") for _ in self.profiles]
        for pos, found in enumerate(self.profile_of):
            self._by_profile[found].append(pos)
        self._by_skuset: dict[frozenset[str], array[int]] = self._merged(lambda p: p.sku_ids)
        self._populations: dict[Selector, Positions | None] = {}
        self._combined: dict[tuple[Selector, Selector | None], Population] = {}
        self._where: dict[tuple[str, Hashable], array[int]] = {}
        self._groups_by_ref: dict[str, list[str]] = defaultdict(list)
        for g in snapshot.groups:
            self._groups_by_ref[g.id.lower()].append(g.id)
            self._groups_by_ref[g.display_name.lower()].append(g.id)
        self._members = {g.id: g.members for g in snapshot.groups}
        self._direct: dict[str, array[int]] | None = None
        self._attributes: dict[str, dict[str, array[int]]] = {}
        self._pop_groups: dict[Population, dict[frozenset[str], array[int]]] = {}
        # position, and user id -> the kind a policy declares (declare_kinds)
        self._declared: dict[int, AccountKind] = {}
        self.declared_ids: dict[str, AccountKind] = {}

    def declare_kinds(self, declared: Iterable[DeclaredKind]) -> None:
        """The kinds the policies declare (`account_kinds:`), in order: a user's first declaration counts.
        Selected by Graph's kinds; the populations selected before are forgotten (a `kinds:` changes)."""
        for entry in declared:
            found = self.select(entry.match)
            for pos in range(len(self.users)) if found is None else found:
                kind = self._declared.setdefault(pos, AccountKind(entry.kind))
                self.declared_ids[self.users[pos].id] = kind
        self._populations.clear()
        self._combined.clear()

    def kind_of(self, user: User) -> AccountKind:
        """What the account is: the kind a policy declares, else User.kind (Graph's)."""
        return self.declared_ids.get(user.id) or user.kind

    def _merged(self, key: Callable[[Profile], Hashable]) -> dict[Any, array[int]]:
        """The users' positions, in order, grouped by `key` of their profile."""
        groups: dict[Any, list[array[int]]] = defaultdict(list)
        for profile, positions in zip(self.profiles, self._by_profile, strict=True):
            if positions:
                groups[key(profile)].append(positions)
        return {
            k: parts[0] if len(parts) == 1 else array("I", sorted(chain.from_iterable(parts)))
            for k, parts in groups.items()
        }

    # --- SKUs -------------------------------------------------------------------------------

    def resolve_sku(self, ref: str) -> str | None:
        """skuId (lower-case) for a part number or GUID as written in a policy; None if unknown."""
        sku = self.sku_by_part.get(ref.lower()) or self.sku_by_id.get(ref.lower())
        if sku is not None:
            return sku.sku_id.lower()
        return ref.lower() if is_guid(ref) else None

    def subscriptions_of(self, sku_id: str, *statuses: str) -> list[Subscription]:
        """The product's subscriptions (directory/subscriptions) in one of `statuses`; [] when the
        subscriptions were not read."""
        key = sku_id.lower()
        return [s for s in self.snapshot.subscriptions if s.sku_id.lower() == key and s.status in statuses]

    def trial_seats(self, sku_id: str) -> int:
        """Seats of `sku_id` on trial subscriptions that still run (Enabled, or Warning: the grace
        period). Trial seats are not spend."""
        return sum(s.total_licenses for s in self.subscriptions_of(sku_id, "Enabled", "Warning") if s.is_trial)

    def resolve_skus(self, refs: Iterable[str]) -> frozenset[str]:
        return frozenset(r for r in (self.resolve_sku(x) for x in refs) if r is not None)

    def part(self, sku_id: str) -> str:
        sku = self.sku_by_id.get(sku_id.lower())
        return sku.sku_part_number if sku else sku_id

    def parts(self, sku_ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(self.part(s) for s in sku_ids))

    # --- populations ------------------------------------------------------------------------

    def has_group(self, ref: str) -> bool:
        return ref.lower() in self._groups_by_ref

    def group_members(self, ref: str) -> Positions:
        """The positions of the users who are members of the group(s) named `ref` (a name or id)."""
        ids = self._groups_by_ref.get(ref.lower(), [])
        if not ids:
            self.warnings.append(f"group '{ref}' named in a policy was not found in the tenant")
        elif len(set(ids)) > 1:
            self.warnings.append(f"group name '{ref}' is ambiguous ({len(set(ids))} groups); all are used")
        return Positions.union(self._group_positions(gid) for gid in sorted(set(ids)))

    def _group_positions(self, gid: str) -> array[int]:
        """The sorted positions of one group's members that are users, once per group."""
        found = self._by_group.get(gid)
        if found is None:
            members = frozenset(self._members[gid])
            found = self._by_group[gid] = array("I", compress(count(), map(members.__contains__, map(_ID, self.users))))
        return found

    def select(self, selector: Selector) -> Positions | None:
        if selector not in self._populations:
            self._populations[selector] = self._select(selector)
        return self._populations[selector]

    def _select(self, s: Selector) -> Positions | None:
        users = self.users
        parts: list[Positions] = []
        if s.groups:
            parts.append(Positions.union(self.group_members(ref).items for ref in s.groups))
        if s.departments:
            parts.append(self._attribute("department", {d.lower() for d in s.departments}))
        if s.user_types:
            parts.append(self._attribute("user_type", {t.lower() for t in s.user_types}))
        if s.usage_locations:
            parts.append(self._attribute("usage_location", {loc.lower() for loc in s.usage_locations}))
        if s.upn:
            parts.append(Positions(_upn_positions(users, s.upn)))
        if s.kinds:  # the kind is a profile's (Profile.agent keeps agent users apart): asked once per profile
            firsts = self.first_of_profiles()
            found = Positions(self.positions(u.kind.value in s.kinds for u in firsts))
            if self._declared:  # the declared kinds in place of Graph's
                mine = sorted(pos for pos, kind in self._declared.items() if kind.value in s.kinds)
                found = Positions.union([(found - self._declared.keys()).items, array("I", mine)])
            parts.append(found)
        for path, values in s.attributes:
            parts.append(Positions(_attribute_positions(users, path, frozenset(values))))
        if not parts:
            return None  # `all: true`
        parts.sort(key=len)
        result = parts[0]
        for p in parts[1:]:
            result = result & p
        return result

    def _attribute(self, name: str, wanted: set[str]) -> Positions:
        """Users whose attribute (case-insensitive) is one of `wanted`."""
        table = self._attributes.get(name)
        if table is None:
            table = self._attributes[name] = self._attribute_table(name)
        return Positions.union(table.get(value, array("I")) for value in sorted(wanted))

    def _attribute_table(self, name: str) -> dict[str, array[int]]:
        """Lower-cased attribute value -> positions (users without a value are in none)."""
        table = self._merged(lambda p: (getattr(p, name) or "").lower())
        table.pop("", None)
        return table

    def matching(self, name: str, keep: Callable[[Any], bool]) -> Iterator[int]:
        """Positions, in order, of the users whose attribute `name` (a field of their profile:
        auditor.data.model.Profile) passes `keep`; `keep` sees each profile's value once."""
        return self.positions(bool(keep(getattr(p, name))) for p in self.profiles)

    def positions(self, keep: Iterable[bool]) -> Iterator[int]:
        """Positions, in order, of the users whose profile passes: `keep` has a truth value per
        profile number (`profiles`)."""
        passing = list(keep)
        return compress(count(), map(passing.__getitem__, self.profile_of))

    def first_of_profiles(self) -> list[User]:
        """A user of each profile, by profile number: whatever depends only on what users share
        is asked of it once for them all."""
        return [self.users[positions[0]] for positions in self._by_profile]

    def _undeclared_firsts(self) -> list[User]:
        """first_of_profiles, each a user of no declared kind where the profile has one."""
        return [self.users[next(filterfalse(self._declared.__contains__, ps), ps[0])] for ps in self._by_profile]

    def excluded(self, selector: Selector | None) -> Positions | None:
        """The users a policy's `except` takes out (no one when it is None); None when it takes every user."""
        return self.select(selector) if selector is not None else Positions()

    def offenders(
        self, reads: frozenset[str], test: Callable[[User], T | None], excluded: Selector | None = None
    ) -> Iterator[tuple[User, T]]:
        """(user, answer), in order, for each licensed user outside `excluded` whose `test` gives
        an answer (not None). `reads`: the Graph user properties `test` reads. When they are all
        properties users share (SHARED_READS: a Profile), `test` is asked of one user per profile
        and its answer holds for every user of that profile; otherwise it is asked of each
        licensed user."""
        out = self.excluded(excluded)
        if out is None:  # the exception takes every user
            return
        users = self.users
        shared: list[T | None] = []
        if reads <= SHARED_READS:
            # a declared kind is a user's own (kind_of): the profile's answer is an undeclared user's
            firsts = self.first_of_profiles() if not self._declared else self._undeclared_firsts()
            shared = [test(u) if u.assigned_licenses else None for u in firsts]
            keep = self.positions(answer is not None for answer in shared)
        else:
            keep = self.positions(bool(p.assigned_licenses) for p in self.profiles)
        positions = array("I", filterfalse(out.__contains__, keep) if out else keep)
        if shared:
            answers: Iterable[T | None] = map(shared.__getitem__, map(self.profile_of.__getitem__, positions))
            if self._declared:  # and a declared user's answer its own
                own = self._declared.__contains__
                answers = [test(users[p]) if own(p) else a for p, a in zip(positions, answers, strict=True)]
        else:
            answers = map(test, map(users.__getitem__, positions))
        for pos, answer in zip(positions, answers, strict=True):
            if answer is not None:
                yield users[pos], answer

    def licensed_count(self) -> int:
        return sum(
            len(positions) for p, positions in zip(self.profiles, self._by_profile, strict=True) if p.assigned_licenses
        )

    def population(self, match: Selector, except_: Selector | None) -> Population:
        key = (match, except_)
        if key not in self._combined:
            self._combined[key] = self._population(match, except_)
        return self._combined[key]

    def _population(self, match: Selector, except_: Selector | None) -> Population:
        base = self.select(match)
        if except_ is None:
            return base
        excluded = self.select(except_)
        if excluded is None:
            return Positions()
        if base is None:
            return AllBut(len(self.users), excluded)
        return base - excluded

    def where(self, name: str, value: Hashable, keep: Callable[[Any], bool]) -> array[int]:
        """`matching(name, keep)` as an array, computed once per (`name`, `value`), where `value`
        identifies `keep` (e.g. the text it compares with)."""
        key = (name, value)
        found = self._where.get(key)
        if found is None:
            found = self._where[key] = array("I", self.matching(name, keep))
        return found

    # --- iteration --------------------------------------------------------------------------

    def by_skuset(self, pop: Population, verdict: Callable[[frozenset[str]], T | None]) -> Iterator[tuple[int, T]]:
        """Yield (position, verdict) for users in `pop` whose SKU set gets a non-None verdict.

        The verdict is computed once per distinct SKU set, and the smaller side (population or
        offending users) is walked, so cost stays proportional to min(|pop|, |offenders|).
        """
        verdicts = {k: v for k in self._by_skuset if (v := verdict(k)) is not None}
        if not verdicts:
            return
        offenders = sum(len(self._by_skuset[k]) for k in verdicts)
        if pop is not None and len(pop) < offenders:
            found = [
                (i, v)
                for k, positions in self._pop_by_skuset(pop).items()
                if (v := verdicts.get(k)) is not None
                for i in positions
            ]
            found.sort(key=itemgetter(0))
            yield from found
            return
        for k in sorted(verdicts, key=lambda k: self._by_skuset[k][0]):
            v = verdicts[k]
            positions: Iterable[int] = self._by_skuset[k]
            if isinstance(pop, AllBut):
                positions = filterfalse(pop.excluded.__contains__, positions)
            elif pop is not None:
                positions = filter(pop.__contains__, positions)
            for i in positions:
                yield i, v

    def holders(
        self, match: Selector, except_: Selector | None, verdict: Callable[[frozenset[str]], T | None]
    ) -> Iterator[tuple[User, T]]:
        """(user, verdict), in order, for the users `match` selects and `except_` does not whose
        products (lower-case skuIds) get a verdict that is not None: `by_skuset` over the population."""
        users = self.users
        for pos, found in self.by_skuset(self.population(match, except_), verdict):
            yield users[pos], found

    def direct_holders_of(
        self, match: Selector, except_: Selector | None, sku_ids: Iterable[str]
    ) -> Iterator[tuple[User, frozenset[str]]]:
        """(user, the products of `sku_ids` it holds directly), in order, for the users `match`
        selects and `except_` does not who hold one of `sku_ids` through a direct assignment."""
        pop = self.population(match, except_)
        found: dict[int, set[str]] = {}
        for sid in sku_ids:
            for pos in self.direct_holders(sid):
                if pop is None or pos in pop:
                    found.setdefault(pos, set()).add(sid)
        for pos in sorted(found):
            yield self.users[pos], frozenset(found[pos])

    def _pop_by_skuset(self, pop: Positions | AllBut) -> dict[frozenset[str], array[int]]:
        """A population's positions grouped by SKU set, once per population (populations are
        cached, and several policy entries usually share one)."""
        found = self._pop_groups.get(pop)
        if found is None:
            groups: dict[frozenset[str], array[int]] = defaultdict(_positions)
            profiles, profile_of = self.profiles, self.profile_of
            for i in pop:  # in order already
                groups[profiles[profile_of[i]].sku_ids].append(i)
            found = self._pop_groups[pop] = dict(groups)
        return found

    def direct_holders(self, sku_id: str) -> array[int]:
        """Users holding `sku_id` through a direct (not group-based) assignment."""
        if self._direct is None:
            direct: dict[str, array[int]] = defaultdict(_positions)
            for (licenses, states), positions in self._by_layout().items():
                for sid in _direct_skus(licenses, states):
                    direct[sid].extend(positions)
            for positions in direct.values():
                positions[:] = array("I", sorted(positions))
            self._direct = direct
        return self._direct.get(sku_id, array("I"))

    def _by_layout(self) -> dict[tuple[Any, Any], array[int]]:
        """Positions per distinct (assignedLicenses, licenseAssignmentStates) of the licensed users."""
        layouts = self._merged(lambda p: (p.assigned_licenses, p.license_assignment_states))
        return {k: v for k, v in layouts.items() if k[0]}

    def assignment_errors(self) -> Iterator[int]:
        """Positions of users with a license assignment in an error state."""
        return self.matching("license_assignment_states", lambda states: any(s.is_error for s in states))

    def _assigning(self, user: User, sku_id: str) -> list[tuple[str, str]]:
        """(display name, id) of the groups that assign `sku_id` to `user`, by name then id: the
        names and the ids below are in this one order, so position i of each is the same group."""
        sku_id = sku_id.lower()
        return sorted(
            (self.group_name.get(s.assigned_by_group, s.assigned_by_group), s.assigned_by_group)
            for s in user.license_assignment_states
            if s.assigned_by_group and s.sku_id.lower() == sku_id
        )

    def assigning_groups(self, user: User, sku_id: str) -> list[str]:
        """Display names of the groups that assign `sku_id` to `user` (empty = direct)."""
        return [name for name, _ in self._assigning(user, sku_id)]

    def assigning_group_ids(self, user: User, sku_id: str) -> list[str]:
        """Their object ids, in the same order as assigning_groups."""
        return [gid for _, gid in self._assigning(user, sku_id)]

    # --- data size: the mailbox and OneDrive usage reports (auditor/data/usage_data.py) ---------------------
    # None means not known: the report was not read, or does not list the user (a mailbox not yet
    # in the report). A change whose safety rests on a size waits then; storage_unknown says why
    # the sizes are unknown for everyone.

    def mailbox_size(self, user: User | str) -> int | None:
        """Bytes the user's mailbox holds (Storage Used (Byte) of getMailboxUsageDetail)."""
        row = self._storage_row(user, STORAGE_REPORTS[0])
        return row.storageUsedInBytes if row is not None else None

    def mailbox_has_archive(self, user: User | str) -> bool | None:
        row = self._storage_row(user, STORAGE_REPORTS[0])
        return row.hasArchive if row is not None else None

    def mailbox_items(self, user: User | str) -> int | None:
        row = self._storage_row(user, STORAGE_REPORTS[0])
        return row.itemCount if row is not None else None

    def mailbox_shared(self, user: User | str) -> bool | None:
        """Whether the report calls the mailbox shared; None when it carries no Recipient Type
        column (Graph's reference lists none: mailboxSettings/userPurpose is the other source)."""
        row = self._storage_row(user, STORAGE_REPORTS[0])
        kind = row.recipientType if row is not None else None
        return None if kind is None else "shared" in kind.lower()

    def onedrive_size(self, user: User | str) -> int | None:
        """Bytes the user's OneDrive holds (getOneDriveUsageAccountDetail, by Owner Principal Name)."""
        row = self._storage_row(user, STORAGE_REPORTS[1])
        return row.oneDriveStorageUsedInBytes if row is not None else None

    def storage_unknown(self) -> str | None:
        """Why no size is known for anyone (the usage reports' gap, or not read); None when both
        storage reports were read."""
        usage = self.snapshot.usage_reports
        if usage is not None and all(usage.read(name) is not None for name in STORAGE_REPORTS):
            return None
        cloud = self.snapshot.cloud
        if any(cloud not in REPORTS[name].clouds for name in STORAGE_REPORTS):
            return (
                "Microsoft Graph offers the mailbox and OneDrive usage reports in the global service only "
                f"({cloud.value})"
            )
        gap = next((g for g in self.snapshot.gaps if g.dataset == USAGE_REPORTS), None)
        if gap is not None:
            return f"{gap.request}: {gap.reason}"
        return f"tenant data not collected: {USAGE_REPORTS} ({', '.join(STORAGE_REPORTS)})"

    def _storage_row(self, user: User | str, report: str) -> UserUsage | None:
        usage = self.snapshot.usage_reports
        if usage is None or usage.read(report) is None:
            return None
        upn = user if isinstance(user, str) else user.user_principal_name
        row = usage.by_upn.get(upn.lower())
        return row if row is not None and report in row.reports else None


def _direct_skus(licenses: Iterable[Any], states: Iterable[Any]) -> list[str]:
    via_group = {s.sku_id.lower() for s in states if s.assigned_by_group}
    direct_states = {s.sku_id.lower() for s in states if not s.assigned_by_group}
    out = []
    for lic in licenses:
        sid = lic.sku_id.lower()
        if sid in direct_states or sid not in via_group:
            out.append(sid)
    return out


def _attribute_positions(users: Sequence[User], path: str, wanted: frozenset[str]) -> Iterator[int]:
    """Positions of the users whose attribute `path` (User.attributes; department: the profile's),
    lower-cased, is one of `wanted`."""
    for i, user in enumerate(users):
        value = user.department if path == "department" else dict(user.attributes).get(path)
        if value is not None and value.lower() in wanted:
            yield i
