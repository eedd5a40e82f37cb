"""The admin's declarations in the policy: `data_kept` and `grace_days` on the hygiene checks of
leavers, `licensing_group` on a catalog entry, and `exclusive` sets that name the product to keep.
Typed as the policy model says, refused with located errors, and seen in the findings: a declaration
past its `expires` day counts as absent at the audit's as-of time, and the finding says so."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.model import Finding, Locale
from auditor.formats.report_model import finding_of
from auditor.policy.objects import DataKept, Exclusive, FilesKept, MailboxKept
from auditor.policyset.load import load_policies
from auditor.rules.assignments import SkuCombinationForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed, InactiveUserLicensed

from .factory import E3, E5, F1, audit, policy_file, rem, sku, tenant, user

PBI = "f8a1db68-be16-40ed-86d5-cb42ce701560"  # POWER_BI_PRO: no mailbox, no files
SKUS = [
    sku("SPE_E3"),
    sku("SPE_E5"),
    sku("SPE_F1"),
    {
        "skuId": PBI,
        "skuPartNumber": "POWER_BI_PRO",
        "consumedUnits": 0,
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
    },
]

DECLARED = """catalog:
  - sku: SPE_E3
    licensing_group: "E3 Users"
  - sku: SPE_E5
assignments:
  - name: everyone
    match: {all: true}
    exclusive: [[SPE_F1, SPE_E3], {keep: SPE_E5, remove: [SPE_E3, POWER_BI_PRO]}]
hygiene:
  disabled_users:
    severity: high
    grace_days: 14
    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2027-06-30}
  inactive_users:
    days: 90
    data_kept: {mailbox: converted_to_shared, accepted_by: it@contoso.example, expires: 2026-12-31}
  guest_users:
    data_kept: {files: not_needed, mailbox: not_needed, accepted_by: it@contoso.example, expires: 2026-11-01}
"""


def test_the_declarations_are_typed(tmp_path: Any) -> None:
    (policy,) = load_policies([policy_file(tmp_path, DECLARED)]).policies
    disabled = policy.hygiene["disabled_users"]
    assert disabled.grace_days == 14
    assert disabled.data_kept == DataKept(
        accepted_by="cio@contoso.example",
        expires=date(2027, 6, 30),
        mailbox=MailboxKept.RETENTION,
        files=FilesKept.RETENTION,
        line=16,
    )
    inactive = policy.hygiene["inactive_users"].data_kept
    assert inactive is not None and inactive.mailbox is MailboxKept.CONVERTED_TO_SHARED and inactive.files is None
    assert policy.hygiene["inactive_users"].grace_days is None
    guest = policy.hygiene["guest_users"].data_kept
    assert guest is not None and (guest.mailbox, guest.files) == (MailboxKept.NOT_NEEDED, FilesKept.NOT_NEEDED)
    assert [e.licensing_group for e in policy.catalog or ()] == ["E3 Users", None]
    listed, keeping = policy.assignments[0].exclusive
    assert listed == Exclusive(("SPE_F1", "SPE_E3")) and listed.keep is None and listed.remove == ()
    assert keeping == Exclusive(("SPE_E5", "SPE_E3", "POWER_BI_PRO"), "SPE_E5")
    assert keeping.remove == ("SPE_E3", "POWER_BI_PRO")


def test_a_declaration_holds_through_its_expires_day_at_the_audit_clock() -> None:
    kept = DataKept(accepted_by="cio@contoso.example", expires=date(2027, 6, 30), mailbox=MailboxKept.RETENTION)
    assert kept.in_force(datetime(2027, 6, 30, 23, 59, tzinfo=UTC))
    assert not kept.in_force(datetime(2027, 7, 1, tzinfo=UTC))
    # as a finding's record carries it, written in this order, the kind it leaves out (files) left out
    written = msgspec.to_builtins(kept.details(datetime(2027, 7, 1, tzinfo=UTC)))
    assert list(written.items()) == [
        ("accepted_by", "cio@contoso.example"),
        ("expires", "2027-06-30"),
        ("mailbox", "retention"),
        ("expired", True),
    ]


LEAVERS = [
    user("gone", "SPE_E3", accountEnabled=False),
    user("idle", "SPE_E3", signInActivity={"lastSuccessfulSignInDateTime": "2026-01-01T00:00:00Z"}),
    user("visitor", "SPE_E3", userType="Guest"),
    user("active", "SPE_E3"),
]


def _data_kept(findings: tuple[Finding, ...]) -> dict[str, Any]:
    return {
        f.rule: dict(f.details).get("data_kept")
        for f in findings
        if f.rule in (DisabledUserLicensed.id, InactiveUserLicensed.id, GuestLicensed.id)
    }


def test_findings_carry_the_declaration_and_whether_it_has_expired(tmp_path: Any) -> None:
    """As of 2026-11-01 (the factory's clock) every declaration holds, the guests' on its last day;
    a day later that one has expired, and the finding says so. The clock is the audit's, not now."""
    result = audit(tmp_path, DECLARED, tenant(LEAVERS, skus=SKUS))
    assert _data_kept(result.findings) == {
        DisabledUserLicensed.id: {
            "mailbox": "retention",
            "files": "retention",
            "accepted_by": "cio@contoso.example",
            "expires": "2027-06-30",
            "expired": False,
        },
        InactiveUserLicensed.id: {
            "mailbox": "converted_to_shared",
            "accepted_by": "it@contoso.example",
            "expires": "2026-12-31",
            "expired": False,
        },
        GuestLicensed.id: {
            "mailbox": "not_needed",
            "files": "not_needed",
            "accepted_by": "it@contoso.example",
            "expires": "2026-11-01",
            "expired": False,
        },
    }
    later = audit(tmp_path, DECLARED, tenant(LEAVERS, skus=SKUS), as_of=datetime(2026, 11, 2, tzinfo=UTC))
    expired = {rule: kept["expired"] for rule, kept in _data_kept(later.findings).items()}
    assert expired == {DisabledUserLicensed.id: False, InactiveUserLicensed.id: False, GuestLicensed.id: True}
    years = audit(tmp_path, DECLARED, tenant(LEAVERS, skus=SKUS), as_of=datetime(2027, 7, 1, tzinfo=UTC))
    assert all(kept["expired"] for kept in _data_kept(years.findings).values())


def message(f: Finding, locale: Locale = Locale.EN) -> str:
    return wording.message(f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), locale=locale)


@pytest.mark.parametrize("locale", list(Locale))
def test_the_message_says_an_expired_declaration_no_longer_counts(tmp_path: Any, locale: Locale) -> None:
    """In every report language, after the message and any other note (here: the mailbox purpose
    was to be read but was not); a declaration still in force adds nothing."""
    users = [user("gone", "SPE_E3", accountEnabled=False), user("visitor", "SPE_E3", userType="Guest")]
    doc = tenant(users, skus=SKUS, collectedParts=["signInActivity", "mailboxSettings"])
    now = {f.rule: message(f, locale) for f in audit(tmp_path, DECLARED, doc).findings}
    later = {
        f.rule: message(f, locale)
        for f in audit(tmp_path, DECLARED, doc, as_of=datetime(2026, 11, 2, tzinfo=UTC)).findings
    }
    assert later[DisabledUserLicensed.id] == now[DisabledUserLicensed.id]  # in force until 2027-06-30
    assert later[GuestLicensed.id].startswith(now[GuestLicensed.id] + " ")
    assert "data_kept" in later[GuestLicensed.id] and "data_kept" not in now[GuestLicensed.id]
    if locale is Locale.EN:
        assert later[GuestLicensed.id].endswith(
            "has expired and no longer counts: renew it, or keep the data before the licenses go."
        )
    gone = audit(tmp_path, DECLARED, doc, as_of=datetime(2027, 7, 1, tzinfo=UTC)).findings
    (disabled,) = [f for f in gone if f.rule == DisabledUserLicensed.id]
    assert dict(disabled.details)["shared_mailbox"] == "unknown"  # its message carries the mailbox note ...
    text = message(disabled, locale)
    assert text.startswith(now[DisabledUserLicensed.id] + " ") and "data_kept" in text  # ... then this one
    if locale is Locale.EN:
        assert "could not tell whether this is a shared, room or equipment mailbox" in now[DisabledUserLicensed.id]


def test_a_check_without_a_declaration_carries_none(tmp_path: Any) -> None:
    policy = "hygiene:\n  disabled_users: {}\n"
    (f,) = audit(tmp_path, policy, tenant([user("gone", "SPE_E3", accountEnabled=False)], skus=SKUS)).findings
    assert "data_kept" not in dict(f.details)


# --- exclusive: the product to keep -------------------------------------------------------------


def holder(name: str, *sku_ids: str, via: dict[str, str] | None = None) -> dict[str, Any]:
    """A user holding `sku_ids`, directly unless `via` names the group (by skuId) that assigns one."""
    out = user(name)
    out["assignedLicenses"] = [{"skuId": s, "disabledPlans": []} for s in sku_ids]
    out["licenseAssignmentStates"] = [
        {"skuId": s, "assignedByGroup": (via or {}).get(s), "state": "Active", "error": "None"} for s in sku_ids
    ]
    return out


def combination(
    tmp_path: Any, sets: str, users: list[dict[str, Any]], groups: list[dict[str, Any]] | None = None
) -> dict[str, Finding]:
    policy = f"assignments:\n  - name: all\n    match: {{all: true}}\n    exclusive: {sets}\n"
    result = audit(tmp_path, policy, tenant(users, skus=SKUS, groups=groups))
    return {f.subject.upn or "": f for f in result.findings if f.rule == SkuCombinationForbidden.id}


def test_the_list_form_is_unchanged(tmp_path: Any) -> None:
    """E3 + E5 as a list: the plans decide (E3 turns on plans E5 does not, so no default is pre-filled
    here), and every way is an alternative, as before `keep` existed."""
    (f,) = combination(tmp_path, "[[SPE_E3, SPE_E5]]", [holder("both", E3, E5)]).values()
    details = dict(f.details)
    assert list(details["combination"]) == ["SPE_E3", "SPE_E5"] and "declared" not in details
    assert "remove" not in details and "keep" not in details
    r = rem(f)
    assert r["actions"] == [] and len(r["alternatives"]) == 2


def test_keep_names_the_product_that_stays_and_only_the_held_removes_go(tmp_path: Any) -> None:
    found = combination(
        tmp_path, "[{keep: SPE_E3, remove: [SPE_E5, SPE_F1]}]", [holder("two", E3, E5), holder("three", E3, E5, F1)]
    )
    two = dict(found["two@contoso.example"].details)
    assert (two["declared"], list(two["keep"]), list(two["remove"])) == (True, ["SPE_E3"], ["SPE_E5"])
    assert list(two["combination"]) == ["SPE_E3", "SPE_E5", "SPE_F1"]
    assert "data_lost" not in two  # E3 keeps the mailbox and the files
    r = rem(found["two@contoso.example"])
    assert [(a["body"], a["ready"]) for a in r["actions"]] == [({"addLicenses": [], "removeLicenses": [E5]}, True)]
    assert r["alternatives"] == []  # the policy chose: no "remove the other instead"
    assert r["summary"].startswith("Remove SPE_E5 from") and "keep SPE_E3, as the policy says" in r["summary"]
    assert any("The policy keeps SPE_E3" in s for s in r["steps"])
    three = rem(found["three@contoso.example"])
    (call,) = three["actions"]
    assert sorted(call["body"]["removeLicenses"]) == sorted([E5, F1]) and call["ready"]


def test_keep_that_leaves_no_mailbox_is_listed_not_ready(tmp_path: Any) -> None:
    """The policy keeps Power BI and removes E3, the only mailbox and files: the removal ends data,
    so it waits for a person, with the plans it would end named."""
    (f,) = combination(tmp_path, "[{keep: POWER_BI_PRO, remove: [SPE_E3]}]", [holder("bi", E3, PBI)]).values()
    details = dict(f.details)
    assert list(details["remove"]) == ["SPE_E3"] and set(details["data_lost"]) == {"SPE_E3"}
    (call,) = rem(f)["actions"]
    assert call["body"]["removeLicenses"] == [E3] and not call["ready"] and call["blocked"] == "data_lost"


def test_without_the_product_to_keep_the_set_is_judged_as_a_list(tmp_path: Any) -> None:
    """Two of `remove` but not `keep`: the policy names no product to keep among them."""
    declared = combination(tmp_path, "[{keep: SPE_E5, remove: [SPE_E3, SPE_F1]}]", [holder("x", E3, F1)])
    listed = combination(tmp_path, "[[SPE_E5, SPE_E3, SPE_F1]]", [holder("x", E3, F1)])
    (a,), (b,) = declared.values(), listed.values()
    assert "declared" not in dict(a.details)
    assert dict(a.details) == dict(b.details) and a.id == b.id


def test_keep_never_leaves_a_group_that_also_gives_the_product_to_keep(tmp_path: Any) -> None:
    group = {
        "id": "g-bundle",
        "displayName": "Bundle",
        "members": ["id-g"],
        "assignedLicenses": [{"skuId": E3, "disabledPlans": []}, {"skuId": E5, "disabledPlans": []}],
    }
    (f,) = combination(
        tmp_path,
        "[{keep: SPE_E3, remove: [SPE_E5]}]",
        [holder("g", E3, E5, via={E3: "g-bundle", E5: "g-bundle"})],
        groups=[group],
    ).values()
    r = rem(f)
    assert r["actions"] == []  # leaving Bundle would take SPE_E3 too: no call is pre-filled
    assert any("Groups > All groups > Bundle" in step for step in r["steps"])


@pytest.mark.parametrize("locale", list(Locale))
def test_the_declared_fix_reads_in_every_language(tmp_path: Any, locale: Locale) -> None:
    (f,) = combination(tmp_path, "[{keep: SPE_E3, remove: [SPE_E5, SPE_F1]}]", [holder("three", E3, E5, F1)]).values()
    r = rem(f, locale)
    assert "{" not in r["summary"] and "SPE_E3" in r["summary"]
    assert any("SPE_E5" in s and "SPE_F1" in s for s in r["steps"])


# --- located errors --------------------------------------------------------------------------------

HEAD = "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: bad}\n"

ERRORS = [
    (
        "data-kept-elsewhere",
        "hygiene:\n  shared_mailboxes:\n    data_kept: {mailbox: retention, "
        "accepted_by: a@b.example, expires: 2027-01-01}\n",
        "6:5: unknown key 'data_kept' in hygiene.shared_mailboxes",
    ),
    (
        "data-kept-no-owner",
        "hygiene:\n  disabled_users:\n    data_kept: {mailbox: retention, expires: 2027-01-01}\n",
        "6:16: hygiene.disabled_users.data_kept: missing required key 'accepted_by'",
    ),
    (
        "data-kept-no-end",
        "hygiene:\n  guest_users:\n    data_kept: {files: retention, accepted_by: a@b.example}\n",
        "6:16: hygiene.guest_users.data_kept: missing required key 'expires'",
    ),
    (
        "data-kept-kind",
        "hygiene:\n  inactive_users:\n    days: 90\n    data_kept: {mailbox: archived, "
        "accepted_by: a@b.example, expires: 2027-01-01}\n",
        "7:26: hygiene.inactive_users.data_kept.mailbox: 'archived' is not one of: retention, litigation_hold, "
        "converted_to_shared, not_needed",
    ),
    (
        "data-kept-files-hold",
        "hygiene:\n  disabled_users:\n    data_kept: {files: litigation_hold, "
        "accepted_by: a@b.example, expires: 2027-01-01}\n",
        "6:24: hygiene.disabled_users.data_kept.files: 'litigation_hold' is not one of: retention, not_needed",
    ),
    (
        "data-kept-owner",
        "hygiene:\n  disabled_users:\n    data_kept: {mailbox: retention, accepted_by: the cio, expires: 2027-01-01}\n",
        "6:50: hygiene.disabled_users.data_kept.accepted_by: 'the cio' is not an e-mail",
    ),
    (
        "data-kept-date-form",
        "hygiene:\n  disabled_users:\n    data_kept: {mailbox: retention, "
        "accepted_by: a@b.example, expires: 30/06/2027}\n",
        "6:72: hygiene.disabled_users.data_kept.expires: '30/06/2027' is not a date in the form YYYY-MM-DD",
    ),
    (
        "data-kept-calendar",
        "hygiene:\n  disabled_users:\n    data_kept: {mailbox: retention, "
        "accepted_by: a@b.example, expires: 2027-02-30}\n",
        "6:72: hygiene.disabled_users.data_kept.expires: '2027-02-30' is not a valid calendar date",
    ),
    (
        "data-kept-nothing",
        "hygiene:\n  disabled_users:\n    data_kept: {accepted_by: a@b.example, expires: 2027-01-01}\n",
        "6:16: hygiene.disabled_users.data_kept: names neither mailbox nor files",
    ),
    (
        "grace-negative",
        "hygiene:\n  disabled_users: {grace_days: -1}\n",
        "5:32: hygiene.disabled_users.grace_days: -1 is less than the minimum of 0",
    ),
    (
        "grace-elsewhere",
        "hygiene:\n  inactive_users: {days: 90, grace_days: 3}\n",
        "5:30: unknown key 'grace_days' in hygiene.inactive_users",
    ),
    (
        "licensing-group-blank",
        "catalog:\n  - sku: SPE_E3\n    licensing_group: ' '\n",
        "6:22: catalog[0].licensing_group: ' ' is not a group's display name or object id",
    ),
    (
        "keep-removed",
        "assignments:\n  - name: a\n    match: {all: true}\n"
        "    exclusive: [{keep: SPE_E5, remove: [SPE_E3, spe_e5]}]\n",
        "7:49: assignments[0].exclusive[0].remove: spe_e5 is the product to keep",
    ),
    (
        "keep-without-remove",
        "assignments:\n  - name: a\n    match: {all: true}\n    exclusive: [{keep: SPE_E5}]\n",
        "7:17: assignments[0].exclusive[0]: missing required key 'remove'",
    ),
    (
        "keep-misspelt",
        "assignments:\n  - name: a\n    match: {all: true}\n    exclusive: [{kep: SPE_E5, remove: [SPE_E3]}]\n",
        "7:18: unknown key 'kep' in assignments[0].exclusive[0]; did you mean 'keep'?",
    ),
    (
        "remove-empty",
        "assignments:\n  - name: a\n    match: {all: true}\n    exclusive: [{keep: SPE_E5, remove: []}]\n",
        "7:40: assignments[0].exclusive[0].remove: [] should be non-empty",
    ),
    (
        "keep-bad-sku",
        "assignments:\n  - name: a\n    match: {all: true}\n    exclusive: [{keep: SPE E5, remove: [SPE_E3]}]\n",
        "7:24: assignments[0].exclusive[0].keep: 'SPE E5' is not a SKU part number",
    ),
    (
        "set-neither",
        "assignments:\n  - name: a\n    match: {all: true}\n    exclusive: [SPE_E3]\n",
        "7:17: assignments[0].exclusive[0]: expected a list of two or more SKUs, or {keep: SKU, remove: [SKUs]}",
    ),
    (
        "list-too-short",
        "assignments:\n  - name: a\n    match: {all: true}\n    exclusive: [[SPE_E3]]\n",
        "7:17: assignments[0].exclusive[0]: ['SPE_E3'] is too short",
    ),
]


@pytest.mark.parametrize(("body", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_a_bad_declaration_is_a_located_error(tmp_path: Any, capsys: Any, body: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{path}:{expected}" in err, err


def test_the_declarations_page_examples_are_valid_policies(tmp_path: Any) -> None:
    """docs/policy.md shows each declaration in a YAML block: each is a valid policy as written."""
    import re
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", page, re.S)
    assert len(blocks) >= 3 and any("data_kept" in b for b in blocks) and any("keep:" in b for b in blocks)
    for i, block in enumerate(blocks):
        if block.startswith("apiVersion:"):  # the page's whole example, a policy file as it stands
            whole = tmp_path / f"doc{i}.yaml"
            whole.write_text(block, encoding="utf-8")
            load_policies([str(whole)])
        else:
            load_policies([policy_file(tmp_path, block, name=f"doc{i}.yaml")])
