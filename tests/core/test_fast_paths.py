"""The fast paths added for million-user tenants give exactly what the plain code gives."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.index import TenantIndex
from auditor.policy.model import HygieneCheck
from auditor.report import dump_json
from auditor.rules.base import Context, parse_when
from auditor.rules.hygiene import InactiveUserLicensed
from auditor.sample.generate import TenantStream, generate_document, generate_tenant
from auditor.snapshot import BadValue, UserDecoder, snapshot_from_json

BASE: dict[str, Any] = {
    "id": "0d8f3a52-6c4e-4f0a-9c61-3b2f8d7e1a90",
    "userPrincipalName": "ada@contoso.example",
    "assignedLicenses": [{"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "disabledPlans": []}],
    "licenseAssignmentStates": [
        {"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "assignedByGroup": None, "state": "Active",
         "error": "None", "disabledPlans": []}
    ],
}

MALFORMED = [
    {"assignedLicenses": ""},
    {"assignedLicenses": {}},
    {"licenseAssignmentStates": ""},
    {"assignedLicenses": [{"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "disabledPlans": ""}]},
    {"assignedLicenses": [{"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "disabledPlans": [1]}]},
    {"assignedLicenses": [{"skuId": 5, "disabledPlans": []}]},
    {"assignedLicenses": [["05e9a617-0261-4cee-bb44-138d3ef5d965"]]},
    {"licenseAssignmentStates": [{"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "assignedByGroup": 1,
                                  "state": None, "error": None, "disabledPlans": []}]},
    {"licenseAssignmentStates": [{"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "assignedByGroup": None,
                                  "state": "Active", "error": {}, "disabledPlans": []}]},
    {"accountEnabled": 1},
    {"accountEnabled": "true"},
    {"signInActivity": []},
    {"signInActivity": {"lastSignInDateTime": 5}},
    {"id": None},
    {"userPrincipalName": ["x"]},
    {"department": 3},
    {"createdDateTime": 20240101},
    {"id": ""},
    {"userPrincipalName": ""},
    {"signInActivity": {"lastSignInDateTime": "soon"}},
    {"signInActivity": {"lastSignInDateTime": "2026-02-30T08:00:00Z"}},
    {"signInActivity": {"lastNonInteractiveSignInDateTime": "2026-13-01T08:00:00Z"}},
]


@pytest.mark.parametrize("change", MALFORMED)
def test_malformed_users_fail_with_the_same_message(change: dict[str, Any]) -> None:
    decoder = UserDecoder(with_sign_in=True)
    decoder.user(BASE)  # a cached layout the malformed user must not borrow
    with pytest.raises(BadValue) as fast:
        decoder.user({**BASE, **change})
    with pytest.raises(BadValue) as checked:
        UserDecoder(with_sign_in=True)._checked_user({**BASE, **change})
    assert str(fast.value) == str(checked.value)


def test_fast_and_checked_decoders_agree_on_a_generated_tenant() -> None:
    stream = TenantStream(3000, seed=4)
    raws = [json.loads(json.dumps(u)) for u in stream.users()]
    raws[10]["assignedLicenses"][0]["disabledPlans"] = ["b", "a"]  # sorted by the decoder
    raws[11]["licenseAssignmentStates"] = None
    raws[12]["userType"] = ""
    fast, checked = UserDecoder(with_sign_in=True), UserDecoder(with_sign_in=True)
    a = [fast.user(r) for r in raws]
    b = [checked._checked_user(r) for r in raws]
    assert a == b
    assert [u.sku_ids for u in a] == [u.sku_ids for u in b]


def _decode_page(decoder: UserDecoder, body: bytes) -> tuple[list[Any], str | None] | None:
    split = decoder.page(body)
    if split is None:
        return None
    users = split[1]()
    return None if users is None else (users, split[0])


def _page(users: list[Any], next_link: Any = None, **extra: Any) -> bytes:
    doc: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": users}
    if next_link is not None:
        doc["@odata.nextLink"] = next_link
    return json.dumps({**doc, **extra}).encode()


@pytest.mark.parametrize("with_sign_in", [True, False])
def test_page_decoder_agrees_with_the_checked_decoder(with_sign_in: bool) -> None:
    raws = [json.loads(json.dumps(u)) for u in TenantStream(2000, seed=5).users()]
    raws[3]["assignedLicenses"][0]["disabledPlans"] = ["b", "a"]
    raws[4]["licenseAssignmentStates"] = None
    raws[5]["userType"] = ""
    raws[6]["signInActivity"] = None
    raws[7]["unselectedExtra"] = {"nested": [1, 2, 3]}
    for key in ("displayName", "department", "usageLocation", "createdDateTime", "accountEnabled"):
        raws[8].pop(key, None)
    raws[9]["accountEnabled"] = False
    raws[10]["assignedLicenses"] = []
    decoder = UserDecoder(with_sign_in=with_sign_in)
    decoded = _decode_page(decoder, _page(raws[:1000], "https://graph.microsoft.com/v1.0/users?$skiptoken=x"))
    assert decoded is not None
    first, link = decoded
    decoded = _decode_page(decoder, _page(raws[1000:]))
    assert decoded is not None
    second, end = decoded
    checked = UserDecoder(with_sign_in=with_sign_in)
    expected = [checked._checked_user(r) for r in raws]
    assert first + second == expected
    assert [u.sku_ids for u in first + second] == [u.sku_ids for u in expected]
    assert (link, end) == ("https://graph.microsoft.com/v1.0/users?$skiptoken=x", None)
    if with_sign_in:
        assert any(u.last_sign_in_date_time for u in first)
    else:
        assert not any(u.last_sign_in_date_time or u.last_non_interactive_sign_in_date_time for u in first)


@pytest.mark.parametrize("change", MALFORMED)
def test_page_decoder_hands_malformed_users_to_the_checking_decoder(change: dict[str, Any]) -> None:
    decoder = UserDecoder(with_sign_in=True)
    assert _decode_page(decoder, _page([BASE])) is not None  # the good layout is cached first
    assert _decode_page(decoder, _page([BASE, {**BASE, **change}])) is None


@pytest.mark.parametrize("body", [
    b'{"value": {}}',
    b'{"@odata.nextLink": "x"}',
    b'{"value": [], "@odata.nextLink": 5}',
    b'{"value": [1]}',
    b'[]',
    b'{"value": [',
    b'\xff\xfe',
    b'<html>proxy error</html>',
])
def test_page_decoder_declines_pages_it_cannot_take(body: bytes) -> None:
    assert _decode_page(UserDecoder(with_sign_in=False), body) is None


YEARS = (0, 1, 4, 99, 100, 400, 1582, 1600, 1700, 1800, 1896, 1900, 1904, 2000, 2023, 2024, 2026, 2096, 2100,
         2200, 2400, 2800, 3000, 9996, 9999)


def test_plain_utc_pattern_knows_the_calendar() -> None:
    from datetime import date

    from auditor.snapshot import is_plain_utc

    for year in YEARS:
        for month in range(0, 14):
            for day in range(0, 33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    date.fromisoformat(text)
                    valid = True
                except ValueError:
                    valid = False
                assert is_plain_utc(text + "T23:59:59Z") is valid, text
    for clock, ok in (("00:00:00", True), ("24:00:00", False), ("12:60:00", False), ("12:00:60", False),
                      ("12:00:00.5", False), ("12:00", False)):
        assert is_plain_utc(f"2026-08-03T{clock}Z") is ok
    for other in ("2026-08-03T12:00:00+00:00", "2026-08-03 12:00:00Z", "2026-08-03T12:00:00z", "2026-08-03T12:00:00Z\n",
                  "20260803T120000Z", "2026-W31-1T12:00:00Z", None, 20260803):
        assert not is_plain_utc(other)


def test_page_decoder_keeps_other_valid_sign_in_forms() -> None:
    odd = {**BASE, "signInActivity": {"lastSignInDateTime": "2026-08-03T06:00:00.1234567Z",
                                      "lastNonInteractiveSignInDateTime": "2026-08-03T08:00:00+02:00"}}
    decoded = _decode_page(UserDecoder(with_sign_in=True), _page([BASE, odd]))
    assert decoded is not None
    assert decoded[0] == [UserDecoder(with_sign_in=True)._checked_user(r) for r in (BASE, odd)]
    assert decoded[0][1].last_sign_in_date_time == "2026-08-03T06:00:00.1234567Z"


def test_streamed_tenant_equals_the_document_tenant() -> None:
    assert generate_tenant(500, seed=9) == snapshot_from_json(generate_document(500, seed=9))


@pytest.mark.parametrize("text", [
    "2026-08-03T06:00:00Z", "2026-08-03T06:00:01Z", "2026-08-03T06:00:00.5Z", "2026-13-03T06:00:01Z",
    "2026-02-30T06:00:01Z", "2026-08-03T24:00:01Z", "2026-08-03 06:00:01Z", "2027-01-01T00:00:00+00:00", "",
    None, "garbage",
])
def test_recent_sign_in_text_test_agrees_with_parsing(text: str | None) -> None:
    # The inactivity pre-pass drops a user only when text comparison settles "signed in since the
    # cutoff"; everything else stays a candidate and is parsed as before.
    cutoff = datetime(2026, 8, 3, 6, 0, 0, 250_000, tzinfo=UTC)
    tenant = generate_tenant(50, seed=3)
    user = next(u for u in tenant.users if u.account_enabled and u.assigned_licenses)
    user = msgspec.structs.replace(user, last_sign_in_date_time=text, last_non_interactive_sign_in_date_time=None)
    ctx = Context(TenantIndex(dataclasses.replace(tenant, users=(user,))), cutoff + timedelta(days=90), {})
    kept = InactiveUserLicensed().candidates(HygieneCheck(days=90), ctx)
    recent = kept == []
    parsed = parse_when(text)
    if recent:
        assert parsed is not None and parsed >= cutoff
    plain = text in ("2026-08-03T06:00:00Z", "2026-08-03T06:00:01Z")
    assert recent == (plain and parsed is not None and parsed >= cutoff)


def test_inactive_rule_candidates_lose_no_offender() -> None:
    """The text pre-pass finds exactly the offenders that parsing every user finds."""
    from dataclasses import replace as dc_replace

    import msgspec

    from auditor.engine import evaluate
    from auditor.policy.load import load_policies
    from auditor.rules import hygiene

    tenant = generate_tenant(1500, seed=11)
    odd = ["2026-08-03T06:00:00.5Z", "2026-10-30T08:00:00+02:00", "2026-10-30T08:00:00-11:00", None,
           "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z", "2026-08-02T06:00:00.9999Z"]
    users = tuple(
        msgspec.structs.replace(u, last_sign_in_date_time=odd[i % len(odd)],
                                last_non_interactive_sign_in_date_time=odd[(i // 7) % len(odd)])
        if i % 3 == 0 else u
        for i, u in enumerate(tenant.users)
    )
    tenant = dc_replace(tenant, users=users)
    policies = load_policies([str(Path(__file__).resolve().parents[2] / "policies" / "example.yaml")])
    as_of = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    fast = [f for f in evaluate(policies, tenant, as_of).findings if f.rule == InactiveUserLicensed.id]
    original = hygiene.InactiveUserLicensed.candidates
    try:
        hygiene.InactiveUserLicensed.candidates = lambda self, check, ctx: None  # type: ignore[method-assign]
        slow = [f for f in evaluate(policies, tenant, as_of).findings if f.rule == InactiveUserLicensed.id]
    finally:
        hygiene.InactiveUserLicensed.candidates = original  # type: ignore[method-assign]
    assert fast == slow
    assert len(fast) > 20


def test_report_json_bytes_match_the_standard_library() -> None:
    document = {"a": [1, 2.5, {"b": "ø\u2028\x01", "c": None, "d": []}], "e": {}, "f": 33.75, "g": True}
    assert dump_json(document) == (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
