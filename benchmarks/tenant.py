"""The benchmark's tenant: the generated sample shape at any size, with people's user names.

auditor_dev.sample.generate numbers its population (user000123@, fl000120@, ...): three quarters of
the UPNs start with "u". Real tenants mostly name accounts after people (first.last@), so their
first characters spread over the alphabet, which is what reading /users in partitions by the
first character of userPrincipalName relies on. Here every numbered account of the population is
renamed `given.surname.N` (ASCII, as Entra ID requires), given names drawn so their first letters
follow a common Western distribution; the planted cases (ceo@, breakglass1@, guests) keep their
names. The domain part is unchanged, so policies matching `*@contractors.contoso.example` still do.

With `timed`, every license assignment state also carries a `lastUpdatedDateTime`, as Graph gives
one to (nearly) every state of a real tenant: a time of its own for each state, to the second, as
Graph writes it ("2025-03-14T10:20:31Z"), between 120 and about 1,200 days before the generator's
reference clock, so no rule's window (at most 90 days in examples/contoso-policy.yaml) sees a recent
change and the findings stay those of the tenant without times. The states the generator already
dates (its planted grace cases) keep their times.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, timedelta

import msgspec

from auditor.data.model import TenantSnapshot, User, joined_times, own_text
from auditor_dev.sample import REFERENCE
from auditor_dev.sample.generate import generate_tenant

_GIVEN_TEXT = """
james john joseph jack julia jasmine jens jan joanna jonas
maria michael mark martin mia max maya mats monica mohammed
sarah sophie samuel simon stefan sanne sara sebastian
anna adam alex amelia andrew anton ava aylin ahmet
david daniel diana dilan dennis dominik
chris charlotte carlos clara claire chloe
kevin karen kerem katarina klaus
robert rachel rasmus ruby ryan
laura lucas lotte liam lena
ben bram bianca bo
thomas tove tim tanja
emma eric elif emil
peter paula pinar
noor nina nils
george greta goran
hanne henry hugo
finn fatma
vera victor
wout william
ilse ivan
yusuf oskar zeynep umut
"""
_SURNAME_TEXT = """
jansen devries nielsen hansen andersson johansson yilmaz kaya bakker larsen lindqvist demir visser
pedersen berg sahin smith jones brown miller garcia martin muller
"""
# About a hundred given names; their first letters weigh as in a typical Western staff list
GIVEN = tuple(_GIVEN_TEXT.split())
SURNAMES = tuple(_SURNAME_TEXT.split())
_NUMBERED = re.compile(r"^(user|fl|contractor|guest)(\d+)([@_])")


def personal_upn(upn: str) -> str:
    m = _NUMBERED.match(upn)
    if m is None:
        return upn
    n = int(m.group(2))
    given = GIVEN[(n * 7919) % len(GIVEN)]
    surname = SURNAMES[(n * 104729) % len(SURNAMES)]
    return f"{given}.{surname}.{n}{upn[m.end(2) :]}"


_EPOCH = REFERENCE.replace(tzinfo=UTC) - timedelta(days=120)
_SPAN = 1080 * 86400  # seconds over which the assignment times spread


def timed_states(user: User, n: int) -> User:
    """`user` (the n-th of the tenant) with a lastUpdatedDateTime on each of its license states."""
    states = user.license_assignment_states
    if not states:
        return user
    times = [
        (_EPOCH - timedelta(seconds=(n * 7919 + j * 104729) % _SPAN)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for j in range(len(states))
    ]
    # the profile (shared, its states without times) stays as it is
    joined = joined_times([s.last_updated_date_time or t for s, t in zip(states, times, strict=True)])
    return msgspec.structs.replace(
        user, own=own_text(user.user_principal_name, user.created_date_time, user.employee_leave_date_time, joined)
    )


def bench_tenant(users: int, seed: int = 7, timed: bool = False, successful: bool = False) -> TenantSnapshot:
    """generate_tenant(users, seed) with people's user names, and with `timed` a time on every
    license state (see the module docstring); with `successful`, every signed-in user's
    lastSuccessfulSignInDateTime as well (their last interactive sign-in), as Graph has recorded it
    since December 2023: without it Graph's filter on it finds nobody (benchmarks.nightly)."""
    tenant = generate_tenant(users, seed=seed)
    renamed = tuple(
        u.with_values(user_principal_name=personal_upn(u.user_principal_name))
        if _NUMBERED.match(u.user_principal_name)
        else u
        for u in tenant.users
    )
    if timed:
        renamed = tuple(timed_states(u, n) for n, u in enumerate(renamed))
    if successful:
        renamed = tuple(
            u.with_sign_ins(
                u.last_sign_in_date_time, u.last_non_interactive_sign_in_date_time, u.last_sign_in_date_time
            )
            if u.last_sign_in_date_time is not None
            else u
            for u in renamed
        )
    return dataclasses.replace(tenant, users=renamed)
