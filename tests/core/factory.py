"""Small hand-made tenants for rule tests, in snapshot-document form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor import wording
from auditor.data.model import AuditResult, Cloud, Finding, Locale
from auditor.evaluation.engine import evaluate
from auditor.formats.report_model import finding_of
from auditor.pipeline import collect as collect_stage
from auditor.pipeline import evaluate as evaluate_stage
from auditor.pipeline import output as output_stage
from auditor.policyset.load import load_policies
from auditor.snapshot import snapshot_from_json

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
F1 = "66b55226-6b4f-492c-910c-a3b7a3c9d993"
IDS = {"SPE_E3": E3, "SPE_E5": E5, "SPE_F1": F1}


def sku(part: str, enabled: int = 10, consumed: int = 0) -> dict[str, Any]:
    return {
        "skuId": IDS[part],
        "skuPartNumber": part,
        "consumedUnits": consumed,
        "prepaidUnits": {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
    }


def user(name: str, *skus: str, via: str | None = None, **kw: Any) -> dict[str, Any]:
    out = {
        "id": f"id-{name}",
        "userPrincipalName": f"{name}@contoso.example",
        "displayName": name.title(),
        "accountEnabled": True,
        "userType": "Member",
        "department": "Sales",
        "usageLocation": "NL",
        "createdDateTime": "2024-01-01T00:00:00Z",
        "assignedLicenses": [{"skuId": IDS[s], "disabledPlans": []} for s in skus],
        "licenseAssignmentStates": [
            {"skuId": IDS[s], "assignedByGroup": via, "state": "Active", "error": "None"} for s in skus
        ],
        "signInActivity": {"lastSignInDateTime": "2026-10-30T00:00:00Z", "lastNonInteractiveSignInDateTime": None},
    }
    out.update(kw)
    return out


def tenant(
    users: list[dict[str, Any]],
    skus: list[dict[str, Any]] | None = None,
    groups: list[dict[str, Any]] | None = None,
    subscriptions: list[dict[str, Any]] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A snapshot document. Its groups are cloud security groups with assigned members (groupTypes
    [], as the collector reads them) unless a group says otherwise; "groupTypes": None makes a
    group of unknown kind, as in a snapshot written before the kind was read."""
    groups = [{"groupTypes": [], "mailEnabled": False, **g} for g in groups or []]
    doc = {
        "schemaVersion": 1,
        "kind": "license-auditor/snapshot",
        "tenant": {"id": "tid", "displayName": "Test", "cloud": "worldwide"},
        "collectedAt": "2026-11-01T00:00:00Z",
        "collectedParts": ["signInActivity"],
        "subscribedSkus": skus if skus is not None else [sku("SPE_E3"), sku("SPE_E5"), sku("SPE_F1")],
        "subscriptions": subscriptions or [],
        "users": users,
        "groups": groups,
        "gaps": [],
    }
    doc.update(kw)
    return doc


def policy_file(tmp_path: Any, body: str, name: str = "p.yaml") -> str:
    head = "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: test}\n"
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return str(path)


def audit(tmp_path: Any, policy: str, doc: dict[str, Any], as_of: datetime = AS_OF) -> AuditResult:
    yaml.safe_load(policy)  # the test's own YAML must parse
    return evaluate(load_policies([policy_file(tmp_path, policy)]), snapshot_from_json(doc), as_of)


def fired(result: AuditResult, rule: str | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted(
        (f.rule, f.subject.upn or f.subject.sku or f.subject.id, f.skus)
        for f in result.findings
        if (rule is None or f.rule == rule) and not f.waived
    )


def ready(remediation: dict[str, Any]) -> list[dict[str, Any]]:
    """The calls of the default fix that are ready to run."""
    return [a for a in remediation["actions"] if a["ready"]]


def rem(f: Finding, locale: Locale = Locale.EN) -> dict[str, Any]:
    """A finding's remediation, as report.json holds it (worldwide cloud)."""
    return wording.remediation(
        f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), cloud=Cloud.WORLDWIDE, locale=locale
    )


_ROOT = Path(__file__).resolve().parents[2]


def sample_audit_argv(tmp_path: Path) -> list[str]:
    """`audit` of the bundled sample tenant with the example policy into tmp_path/out, report.json only."""
    return [
        "audit",
        "--snapshot",
        str(_ROOT / "auditor_dev" / "sample" / "sample-tenant.json"),
        "--policies",
        str(_ROOT / "examples" / "contoso-policy.yaml"),
        "--output-dir",
        str(tmp_path / "out"),
        "--format",
        "json",
        "--as-of",
        "2026-11-01T06:00:00Z",
        "--fail-on",
        "never",
    ]


# what the audit's stages (auditor.pipeline) call, by the name a test watches them by
STAGE_CALLS = {
    "snapshot": (collect_stage, "_snapshot"),  # the tenant read (collect)
    "evaluate": (evaluate_stage, "judge"),  # auditor.evaluation.engine.evaluate (evaluate)
    "render": (output_stage, "write_files"),  # auditor.report.write.render (render)
}


def watch_command(monkeypatch: pytest.MonkeyPatch, name: str, note: Callable[..., None]) -> None:
    """What the audit's stages call by `name` (STAGE_CALLS), calling note(*args, **kwargs) before each call."""
    module, attribute = STAGE_CALLS[name]
    wrapped = getattr(module, attribute)

    def watched(*args: Any, **kwargs: Any) -> Any:
        note(*args, **kwargs)
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(module, attribute, watched)
