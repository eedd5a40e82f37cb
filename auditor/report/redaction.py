"""Pseudonymising people in a report document for readers outside the admin team (`--redact`).

Every user's display name, UPN and object id is replaced by a pseudonym derived from a keyed
HMAC-SHA256 of the user's identity (lower-cased UPN, or the object id when there is no UPN):
the same person gets the same pseudonym in every run that uses the same key, and nobody without
the key can compute which pseudonym belongs to whom.

The key comes from the environment variable AUDITOR_REDACT_KEY (any string; keep it secret and
stable, e.g. a repository secret). Without it the tenant id is used: still stable across runs,
but anyone who knows the tenant id can test a guessed UPN against a pseudonym.

Waiver owners, waiver subjects and the identities in cross-tenant findings are pseudonymised the
same way. Product names, policy names and group names are kept: they describe the organisation,
not a person.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from auditor.cross_tenant.rules import CrossTenantDuplicateDetails
from auditor.data.finding_facts import Subject
from auditor.evaluation.records import record
from auditor.formats.report_model import BaselineChanges, ReportDocument, ReportFinding
from auditor.formats.report_parts import FindingCause, FindingWaiver
from auditor.rules.usage.copilot_seats import CopilotSeatIdleDetails
from auditor.rules.waivers.waiver_expired import WaiverExpiredDetails

KEY_ENV = "AUDITOR_REDACT_KEY"


def redaction_key(environ: Mapping[str, str], tenant_id: str) -> bytes:
    """The HMAC key: AUDITOR_REDACT_KEY when set and non-empty, else the tenant id."""
    secret = environ.get(KEY_ENV, "")
    return (secret or f"tenant:{tenant_id.lower()}").encode("utf-8")


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        self._key = key
        self.replacements: dict[str, str] = {}  # real text -> pseudonym text, for free-text scrubbing

    def token(self, identity: str) -> str:
        digest = hmac.new(self._key, identity.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:10]

    def person(self, upn: str | None, object_id: str | None = None) -> tuple[str, str, str]:
        """(display name, UPN, object id) pseudonyms for a person."""
        token = self.token(upn or object_id or "")
        return f"Person {token}", f"person-{token}@redacted.invalid", f"redacted-{token}"

    def address(self, value: object) -> object:
        """An e-mail address / UPN / name-like free value -> pseudonym; other values unchanged."""
        if not isinstance(value, str) or not value:
            return value
        _, upn, _ = self.person(value)
        self.replacements.setdefault(value, upn)
        return upn

    def address_of(self, value: str) -> str:
        """address() of a text, which stays a text."""
        return str(self.address(value))

    def remember(self, real: object, pseudonym: str) -> None:
        # very short names would replace unrelated words in free text ("Al" in "Alert")
        if isinstance(real, str) and len(real) >= 3:
            self.replacements.setdefault(real, pseudonym)


def _redacted_subject(p: Pseudonymiser, subject: Subject) -> Subject:
    """The subject with a person pseudonymised (a new one: a subject is never changed)."""
    if subject.type != "user":
        if subject.type == "waiver":
            rule, sep, who = subject.id.partition(":")
            if sep and "@" in who:
                return msgspec.structs.replace(subject, id=f"{rule}:{p.address(who)}")
        return subject
    name, upn, oid = p.person(subject.upn, subject.id)
    if subject.display_name is not None:
        p.remember(subject.display_name, name)
    if subject.upn is not None:
        p.remember(subject.upn, upn)
    p.remember(subject.id, oid)
    return msgspec.structs.replace(
        subject,
        id=oid,
        upn=upn if subject.upn is not None else None,
        display_name=name if subject.display_name is not None else None,
    )


def _redacted_details(p: Pseudonymiser, finding: ReportFinding) -> dict[str, object]:
    """A finding's details redacted, in a dict of their own: findings with equal details share one
    (report.document.build_document), and the nested dicts are the evaluation's, so neither is changed.
    The record is read from the finding's details as they were (the decoder keeps each details object's)."""
    details = dict(finding.details)
    # each rule's own details by its record (a value of the wrong type refused with its place), the keys it writes only
    waiver = record(finding, WaiverExpiredDetails)
    if waiver is not None:  # the waiver's owner, and its subject when a person's address
        if "owner" in details:
            details["owner"] = p.address(waiver.owner)
        if "@" in waiver.waiver_subject:
            details["waiver_subject"] = p.address(waiver.waiver_subject)
    duplicate = record(finding, CrossTenantDuplicateDetails)
    if duplicate is not None:  # the person matched across tenants, and each account's UPN
        if "identity" in details:
            details["identity"] = p.address(duplicate.identity)
        if "tenants" in details:
            details["tenants"] = [
                {**tenant, "upn": p.address_of(tenant["upn"])} if "upn" in tenant else tenant
                for tenant in duplicate.tenants
            ]
    seat = record(finding, CopilotSeatIdleDetails)
    if seat is not None and seat.candidate:  # the person an idle Copilot seat moves to
        name, upn, oid = p.person(seat.candidate, seat.candidate_id or None)
        fakes = (
            ("candidate_name", seat.candidate_name, name),
            ("candidate", seat.candidate, upn),
            ("candidate_id", seat.candidate_id, oid),
        )
        for key, real, fake in fakes:
            if key in details and isinstance(real, str):  # the keys the finding writes, and only those
                p.remember(real, fake)
                details[key] = fake
    return details


def _redact_waiver(p: Pseudonymiser, waiver: FindingWaiver) -> FindingWaiver:
    subject = p.address_of(waiver.subject) if "@" in waiver.subject else waiver.subject
    return msgspec.structs.replace(waiver, owner=p.address_of(waiver.owner), subject=subject)


def _pattern(table: Mapping[str, str]) -> re.Pattern[str] | None:
    if not table:
        return None
    alternatives = "|".join(re.escape(r) for r in sorted(table, key=lambda s: (-len(s), s)))
    # whole words only: a person called "Admin" must not turn "Administrator" into a pseudonym
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _scrub(value: Any, pattern: re.Pattern[str] | None, table: Mapping[str, str]) -> Any:
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(lambda m: table[m.group(0)], value)
    if isinstance(value, list):
        return [_scrub(v, pattern, table) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern, table) for k, v in value.items()}
    return value


def _finding(key: bytes, finding: ReportFinding, everyone: dict[str, str]) -> None:
    p = Pseudonymiser(key)
    finding.subject = _redacted_subject(p, finding.subject)
    finding.details = _redacted_details(p, finding)
    if finding.waiver is not None:
        finding.waiver = _redact_waiver(p, finding.waiver)
    cause = finding.cause
    if isinstance(cause, FindingCause) and cause.by_type != "app":  # who changed the directory: a person
        finding.cause = msgspec.structs.replace(cause, by=p.address_of(cause.by))
    table = {real: fake for real, fake in p.replacements.items() if real != fake}
    pattern = _pattern(table)
    finding.message = _scrub(finding.message, pattern, table)
    finding.remediation = _scrub(finding.remediation, pattern, table)
    everyone.update(table)


def redact_document(document: ReportDocument, key: bytes) -> ReportDocument:
    """A copy of `document` with people pseudonymised (see the module docstring).

    Finding ids are kept (they are opaque hashes), so a redacted report can still be matched
    against a baseline. Free text that repeats a person's real name, UPN or id (the English
    `message`, remediation text and Graph paths, warnings) is rewritten with the pseudonyms.
    """
    doc = copy.deepcopy(document)
    changes = doc.changes if isinstance(doc.changes, BaselineChanges) else None
    everyone: dict[str, str] = {}
    for finding in doc.findings:
        _finding(key, finding, everyone)
    for finding in [*changes.resolved, *changes.unverified] if changes else []:
        _finding(key, finding, everyone)
    seats = doc.copilot_seats if isinstance(doc.copilot_seats, list) else None
    if seats:  # the Copilot seats' holders, as their findings name them
        p = Pseudonymiser(key)
        doc.copilot_seats = [
            msgspec.structs.replace(s, name=name, upn=upn, user_id=oid)
            for s in seats
            for name, upn, oid in (p.person(s.upn, s.user_id),)
        ]
    return msgspec.structs.replace(doc, warnings=_scrub(doc.warnings, _pattern(everyone), everyone))
