"""/users: the list (with its startsWith(userPrincipalName) filters), $count, one user, its
memberOf and its mailboxSettings/userPurpose."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.data.model import NO_MAILBOX, User

from .. import wire
from ..call import Answer, Call, Emulator, PlainText
from ..errors import GraphError, bad, not_found
from ..filters import (
    Picked,
    SignInComparison,
    UnsupportedFilter,
    matches,
    mentions_sign_in,
    sign_in_comparison,
    upn_prefixes,
)
from ..query import MAX_TOP, SIGN_IN_MAX_TOP, check_select, page, unsupported
from . import relations

_NOT_GROUPS = frozenset(("microsoft.graph.directoryRole", "microsoft.graph.administrativeUnit"))
# Graph documents that reading employeeLeaveDateTime takes User-LifeCycleInfo.Read.All; selecting it
# without is answered here as a 403 (the stricter reading; the collector also copes with a null)
LEAVE_DATE_ROLES = ("User-LifeCycleInfo.Read.All", "User-LifeCycleInfo.ReadWrite.All")


def _check_leave_date(em: Emulator, select: tuple[str, ...] | None) -> None:
    if select and "employeeLeaveDateTime" in select:
        em.require(LEAVE_DATE_ROLES)


def list_users(em: Emulator, call: Call) -> Answer:
    query = call.query
    signed = _sign_in_comparison(query.filter) if query.filter is not None and mentions_sign_in(query.filter) else None
    prefixes = _upn_prefixes(query.filter) if query.filter is not None and signed is None else None
    check_select(query.select, wire.USER_PROPERTIES, "user")
    _check_leave_date(em, query.select)
    selects_sign_in = bool(query.select and "signInActivity" in query.select)
    cap = SIGN_IN_MAX_TOP if selects_sign_in or signed is not None else MAX_TOP
    select = query.select
    listings = em.listings if not em.tenant.written else None  # pre-encoded: the tenant before writes
    encoded = listings.users(select) if listings is not None and select is not None else None
    if encoded is not None:
        if prefixes is not None:
            encoded = Picked(encoded, em.filtered_positions(prefixes))
        elif signed is not None:
            encoded = Picked(encoded, em.signed_positions(signed))
        return page(em.url, call.path, query, encoded, call.eventual, cap)
    users: Sequence[User] = em.tenant.users
    if prefixes is not None:
        users = [u for u in users if matches(u.user_principal_name, prefixes)]
    elif signed is not None:
        users = [u for u in users if signed.matches(u)]
    return page(em.url, call.path, query, users, call.eventual, cap, lambda u: wire.user_wire(u, select))


def count_users(em: Emulator, call: Call) -> Answer:
    # Graph counts only as an advanced query; without the header it answers 400.
    if not call.eventual:
        raise bad("$count is not currently supported.")
    if call.query.filter is not None:
        prefixes = _upn_prefixes(call.query.filter)
        if not em.tenant.written:  # the positions a filter keeps, worked out once (as the listings use them)
            return 200, PlainText(str(len(em.filtered_positions(prefixes))))
        return 200, PlainText(str(sum(1 for u in em.tenant.users if matches(u.user_principal_name, prefixes))))
    return 200, PlainText(str(len(em.tenant.users)))


def get_user(em: Emulator, call: Call) -> Answer:
    user = _user(em, call)
    check_select(call.query.select, wire.USER_PROPERTIES, "user")
    _check_leave_date(em, call.query.select)
    return 200, wire.user_wire(user, call.query.select)


def member_of(em: Emulator, call: Call) -> Answer:
    """GET /users/{id}/memberOf[/microsoft.graph.group]: the groups the user is a direct
    member of (the snapshot has no directory roles or administrative units)."""
    user = _user(em, call)
    groups = [g for g in em.tenant.member_of(user) if em.tenant.is_direct_member(g, user)]
    return relations.direct(em, call, groups, relations.GROUPS, _NOT_GROUPS)


def transitive_member_of(em: Emulator, call: Call) -> Answer:
    """GET /users/{id}/transitiveMemberOf: the groups the user is a member of, directly or through
    nested groups."""
    return relations.direct(em, call, em.tenant.member_of(_user(em, call)), relations.GROUPS, _NOT_GROUPS)


def user_purpose(em: Emulator, call: Call) -> Answer:
    """mailboxSettings/userPurpose: the snapshot's purpose; a licensed user without one has a
    person's mailbox ("user"); no mailbox (unlicensed, or NO_MAILBOX) is Graph's 404."""
    query = call.query
    if query.select or query.filter or query.top:
        raise bad("Query options are not supported on a property.")
    key = call.params["user"]
    user = em.tenant.user(key)
    if user is None:
        raise GraphError(404, "ResourceNotFound", f"User not found: '{key}'.")
    purpose = user.mailbox_purpose
    if purpose is None and user.assigned_licenses:
        purpose = "user"
    if purpose is None or purpose == NO_MAILBOX:
        raise GraphError(
            404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
        )
    context = f"{em.url}/$metadata#users('{user.id}')/mailboxSettings/userPurpose"
    return 200, {"@odata.context": context, "value": purpose}


def _user(em: Emulator, call: Call) -> User:
    user = em.tenant.user(call.params["user"])
    if user is None:
        raise not_found(call.params["user"])
    return user


def _sign_in_comparison(text: str) -> SignInComparison:
    """The one `le`/`ge` comparison on signInActivity a filter may be (filters.py); anything else on
    it, or beside it ("not with any other filterable properties"), is Graph's 400 for a filter it
    does not take."""
    try:
        return sign_in_comparison(text)
    except UnsupportedFilter:
        raise unsupported(f"Unsupported or invalid query filter clause specified for resource 'User': {text}") from None


def _upn_prefixes(text: str) -> tuple[str, ...]:
    """The prefixes of a /users filter of startsWith(userPrincipalName,'...') clauses joined by
    `or` (see filters.py); any other filter is Graph's 400 for a filter it does not take."""
    try:
        return upn_prefixes(text)
    except UnsupportedFilter:
        raise unsupported(f"Unsupported or invalid query filter clause specified for resource 'User': {text}") from None
