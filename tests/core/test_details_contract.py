"""A rule's details have one typed contract, checked on both sides (issue 78): the rule is
generic in its details' record (`Rule[<Rule>Details]`, an auditor.data.finding.Own, auditor/rules/base.py),
so the details it hands to `make` or returns from a family's hook are checked against it, and its texts are
`RuleGuidance[<Rule>Details]` (auditor/guidance/library.py), so what they read is checked against
the same record. A misspelt field fails mypy on either side."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

from auditor import wording
from auditor.cross_tenant.rules import MERGE_RULES, MergeRule
from auditor.data.finding import is_record
from auditor.rules import RULES
from auditor.rules.base import Rule

ROOT = Path(__file__).resolve().parents[2]

# A rule and its texts, each with a misspelt key (`seat` for `seats`) beside the right one. Each
# line that ends in "# wrong" must draw exactly one mypy error; no other line may draw one.
SAMPLE = '''
from collections.abc import Iterator

from auditor.data.finding import Holding, Own
from auditor.data.model import Finding, Severity, User
from auditor.guidance.details import RuleDetails
from auditor.guidance.library import RuleGuidance
from auditor.policy.objects import HygieneCheck, Policy
from auditor.rules.base import Context, Rule
from auditor.rules.hygiene.base import DeclaredOwn, UserHygieneRule


class SampleDetails(Own, frozen=True, kw_only=True):
    """`seats`"""

    seats: int = 0


class Sample(Rule[SampleDetails]):
    id = "sample"
    default_severity = Severity.LOW

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        subject = ctx.user_subject(ctx.index.users[0])
        yield self.make(policy, "sample", subject, (), "right", SampleDetails(seats=1))
        yield self.make(policy, "sample", subject, (), "wrong", SampleDetails(seat=1))  # wrong
        # a mapping is no record: the details are the rule's record or nothing
        yield self.make(policy, "sample", subject, (), "wrong", {"seats": 1})  # wrong
        # how the user holds the products is its own part, checked against Holding
        yield self.make(policy, "sample", subject, (), "right", SampleDetails(), holding=Holding(sku_ids={}))
        yield self.make(policy, "sample", subject, (), "wrong", SampleDetails(), holding=Holding(sku_id={}))  # wrong
        yield self.make(policy, "sample", subject, (), "wrong", SampleDetails(sku_ids={}))  # wrong


class SampleTexts(RuleGuidance[SampleDetails]):
    id = Sample.id

    def notes(self, f: RuleDetails[SampleDetails]) -> tuple[str, ...]:
        return (str(f.own.seats), str(f.own.seat))  # wrong


class UserSampleDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`seats`"""

    seats: int = 0


class UserSample(UserHygieneRule[UserSampleDetails]):
    id = "user-sample"
    default_severity = Severity.LOW

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> UserSampleDetails | None:
        if user.account_enabled:
            return UserSampleDetails(seats=1)
        return UserSampleDetails(seat=1)  # wrong

    def describe(self, user: User, details: UserSampleDetails) -> str:
        return f"{details.seats} {details.seat}"  # wrong
'''


def test_a_misspelt_details_key_fails_mypy_in_the_rule_and_in_its_texts(tmp_path: Path) -> None:
    """mypy with the project's configuration over SAMPLE: one error on each misspelt key, in the
    rule's `make` (its own details, and the `holding` beside them: a holding key is no key of the
    rule's own), a family's hook and what the texts read; none on the right keys. About 2 s with
    a cache of its own."""
    sample = tmp_path / "details_sample.py"
    sample.write_text(SAMPLE, encoding="utf-8")
    options = ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache")]
    run = subprocess.run(
        [sys.executable, "-m", "mypy", *options, "--no-error-summary", str(sample)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in run.stdout.splitlines() if ": error: " in line]
    flagged = sorted(int(line.split(":")[1]) for line in errors)
    wrong = [n for n, line in enumerate(SAMPLE.splitlines(), start=1) if line.endswith("# wrong")]
    assert flagged == wrong, run.stdout + run.stderr
    # each names the contract it breaks: the rule's own details, or how the user holds the products
    assert all("SampleDetails" in line or '"Holding"' in line for line in errors), errors


def _contract(cls: type, base: type) -> object:
    """The record `cls` gives `base` (Rule, MergeRule or RuleGuidance) as its details type: the
    first argument of a generic base in its classes' bases that is not a type variable."""
    for klass in cls.__mro__:
        for orig in vars(klass).get("__orig_bases__", ()):
            origin = typing.get_origin(orig)
            args = typing.get_args(orig)
            if isinstance(origin, type) and issubclass(origin, base) and args and is_record(args[0]):
                return args[0]
    return None


def test_each_rule_and_its_texts_name_one_details_type() -> None:
    """Every registered rule is generic in the record its texts read (`<Rule>Details` beside it),
    so mypy checks both sides against one contract."""
    from auditor.guidance.library import RuleGuidance

    for guidance, rule in zip(wording.GUIDANCE, (*RULES, *MERGE_RULES), strict=True):
        written = _contract(type(rule), MergeRule if isinstance(rule, MergeRule) else Rule)
        read = _contract(type(guidance), RuleGuidance)
        assert written is not None, f"{rule.id}: the rule names no details record"
        assert written is read, (rule.id, written, read)
        assert getattr(written, "__name__", "") == f"{type(rule).__name__}Details", rule.id
