"""What the collector reads comes from the rules' declarations (Rule.reads, auditor.data.reads.Reads), from
one place (auditor.rules.requests): a rule registered here, and nowhere else, that declares a Graph
user property no other rule reads gets it read on the demo, and is evaluated on what was read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import msgspec
import pytest

from auditor import rules
from auditor.data.account_kinds import ROOMS
from auditor.data.agents import AGENT_USERS
from auditor.data.attributes import is_path
from auditor.data.model import Finding, Severity, TenantSnapshot
from auditor.data.reads import MAILBOX, SIGN_IN, Reads
from auditor.evaluation import engine
from auditor.graph.arguments import GraphSource
from auditor.graph.options import CollectOptions
from auditor.graph.users import USER_FIELDS
from auditor.graph_cli import read_tenant
from auditor.policy.objects import Policy, PolicySet
from auditor.policyset.load import load_policies
from auditor.rules.base import Context, Rule
from auditor.rules.requests import requests_of
from auditor.snapshot import MAILBOX_SETTINGS, SIGN_IN_ACTIVITY
from auditor_dev import demo

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
SAMPLE = demo.sample_tenant


class EmployeeTypeSet(Rule):
    """A throwaway rule: a licensed user whose employeeType is set (no other rule reads it)."""

    id = "employee-type-set"
    default_severity = Severity.LOW
    section = "hygiene"
    reads = Reads("users", user={"employeeType"})

    def configured(self, policy: Policy) -> bool:
        return True

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for user in ctx.index.users:
            kind = dict(user.attributes).get("employeeType")
            if kind and user.assigned_licenses:
                yield self.make(policy, "x", ctx.user_subject(user), [], f"employee type {kind}", {})


def _policies() -> PolicySet:
    with demo.example_policy() as path:
        return load_policies([path])


def _sample() -> TenantSnapshot:
    """The demo's sample, with its first licensed user an employee of type Contractor."""
    sample = SAMPLE()
    first = next(i for i, u in enumerate(sample.users) if u.assigned_licenses)
    users = list(sample.users)
    users[first] = msgspec.structs.replace(users[first], attributes=(("employeeType", "Contractor"),))
    return replace(sample, users=users)


def _read_demo(monkeypatch: pytest.MonkeyPatch, policies: PolicySet) -> TenantSnapshot:
    monkeypatch.setattr(demo, "sample_tenant", _sample)
    source = GraphSource(demo=True)
    return read_tenant(source, group_refs=policies.group_refs, requests=requests_of(policies), as_of=AS_OF)


def test_a_new_rule_declaring_a_user_property_gets_it_read_on_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    policies = _policies()
    before = _read_demo(monkeypatch, policies)
    assert "employeeType" not in before.user_attributes  # nobody declares it: not asked for

    monkeypatch.setattr(rules, "RULES", (*rules.RULES, EmployeeTypeSet()))  # registered: the only change
    monkeypatch.setattr(engine, "RULES", rules.RULES)
    assert CollectOptions.of(requests_of(policies)).attributes == ("employeeType",)
    after = _read_demo(monkeypatch, policies)
    assert "employeeType" in after.user_attributes
    result = engine.evaluate(policies, after, AS_OF)
    found = [f for f in result.findings if f.rule == EmployeeTypeSet.id]
    assert [f.message for f in found] == ["employee type Contractor"]
    assert not [n for n in result.not_evaluated if n.rule == EmployeeTypeSet.id]
    # and the rest of the audit reads what it read before
    assert len(after.users) == len(before.users) and after.collected_datasets == before.collected_datasets


def test_a_declared_part_is_read_and_a_missing_one_leaves_the_rule_not_evaluated() -> None:
    class SignInsRead(EmployeeTypeSet):
        id = "sign-ins-read"
        reads = Reads("users", SIGN_IN_ACTIVITY)

    nothing = PolicySet(())
    assert not CollectOptions.of(requests_of(nothing)).need_sign_in
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "RULES", (*rules.RULES, SignInsRead()))
        policies = _policies()
        assert CollectOptions.of(requests_of(policies)).need_sign_in
        patch.setattr(engine, "RULES", rules.RULES)
        without = replace(demo.sample_tenant(), collected_datasets=frozenset({"users"}))
        result = engine.evaluate(policies, without, AS_OF)
    assert any(n.rule == SignInsRead.id and SIGN_IN_ACTIVITY in n.reason for n in result.not_evaluated)


def test_a_snapshot_read_without_a_declared_user_attribute_leaves_the_rule_not_evaluated() -> None:
    """The rule reads employeeType: on a snapshot read without it (an older collection, or one of
    another policy) every user looks unset, so 0 findings would read as compliant; it is "not
    evaluated" and the run incomplete instead. With the attribute read, it is evaluated."""
    policies = _policies()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "RULES", (*rules.RULES, EmployeeTypeSet()))
        without = _sample()
        assert "employeeType" not in without.user_attributes
        result = engine.evaluate(policies, without, AS_OF)
        read = engine.evaluate(policies, replace(without, user_attributes=("employeeType",)), AS_OF)
    [skipped] = [n for n in result.not_evaluated if n.rule == EmployeeTypeSet.id]
    assert "employeeType" in skipped.reason and not result.complete
    assert not [f for f in result.findings if f.rule == EmployeeTypeSet.id]
    assert not [n for n in read.not_evaluated if n.rule == EmployeeTypeSet.id]
    assert [f.message for f in read.findings if f.rule == EmployeeTypeSet.id] == ["employee type Contractor"]


def test_the_declarations_name_the_snapshot_parts() -> None:
    assert (SIGN_IN, MAILBOX) == (SIGN_IN_ACTIVITY, MAILBOX_SETTINGS)


def test_every_declared_user_property_is_one_the_collector_reads() -> None:
    """A rule's `user` reads name properties the users listing selects, the parts read apart
    (signInActivity, mailboxSettings, the agent users, the places listing's rooms), or user attributes selected
    for it: none is left unread."""
    declared = {p for rule in rules.RULES for p in rule.reads.user}
    apart = (SIGN_IN, MAILBOX, AGENT_USERS, ROOMS)
    unread = sorted(p for p in declared if p not in USER_FIELDS and p not in apart and not is_path(p))
    assert declared and not unread, unread
