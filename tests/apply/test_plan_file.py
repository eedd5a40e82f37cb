"""plan.json is read strictly: anything apply cannot run exactly as Graph documents it is refused (exit 2),
with the file and the field named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.cli import main
from auditor.formats.plan_json import PlanFileError, load_plan

from .conftest import ANNA, CARL, E3, E5, G_E3, G_E5, TENANT, add_member, assign, plan_doc, remove_member, reprocess


def _plan(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _good() -> dict[str, Any]:
    return plan_doc(
        [add_member(ANNA, G_E3), assign(ANNA, remove=[E5]), remove_member(CARL, G_E5), reprocess(CARL)],
        depends={2: [1]},
    )


def test_a_plan_as_the_planner_writes_it_is_read(tmp_path: Path) -> None:
    plan = load_plan(_plan(tmp_path, _good()))
    assert plan.tenant_id == TENANT and plan.cloud.value == "worldwide"
    assert [c.kind for c in plan.changes] == ["add_member", "assign_license", "remove_member", "reprocess"]
    assert plan.changes[1].depends_on == (1,)
    assert plan.changes[1].body == {"addLicenses": [], "removeLicenses": [E5]}
    assert plan.changes[0].groups() == {G_E3}


def test_where_the_plan_stopped_is_read_as_plan_wrote_it(tmp_path: Path) -> None:
    plan = load_plan(_plan(tmp_path, {**_good(), "stopped": _STOPPED}))
    assert plan.stopped is not None and (plan.stopped.n, plan.stopped.sku) == (5, E5)
    assert msgspec.to_builtins(plan.stopped) == _STOPPED
    assert load_plan(_plan(tmp_path, _good())).stopped is None


def _broken(mutate: Any) -> dict[str, Any]:
    doc = _good()
    mutate(doc)
    return doc


def _set(path: str, value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        keys = path.split(".")
        target: Any = doc
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if value is _DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return mutate


_DELETE = object()
# where the planner stopped (plan.json's `stopped`, as plan writes it: formats.plan_records.Stopped, encoded by msgspec)
_STOPPED = {
    "n": 5,
    "sku": E5,
    "usable": 0,
    "needed": 1,
    "reason": "no free seat",
    "description": "Assign Microsoft 365 E5",
    "method": "POST",
    "path": f"/users/{ANNA}/assignLicense",
}
_OTHER = "99999999-9999-4999-8999-999999999999"


@pytest.mark.parametrize(
    ("mutate", "field", "says"),
    [
        (_set("plan_version", 2), "plan_version", "reads plan_version 1"),
        (_set("tenant_id", "contoso.example"), "tenant_id", "not an object id"),
        (_set("cloud", "mars"), "cloud", "is not a cloud"),
        (_set("cloud", "germany"), "cloud", "no Microsoft Graph endpoint"),
        (_set("changes", {}), "changes", "must be a list"),
        (_set("changes.1.n", 5), "changes[1].n", "numbered 1, 2"),
        (_set("changes.1.kind", "lookup"), "changes[1].kind", "a lookup is a read"),
        (_set("changes.1.kind", "delete_user"), "changes[1].kind", "not a change apply can make"),
        (_set("changes.1.ready", False), "changes[1].ready", "a person must finish"),
        (_set("changes.1.user", "{user-id}"), "changes[1].user", "not an object id"),
        (_set("changes.1.path", f"/users/{_OTHER}/assignLicense"), "changes[1].path", "for these ids is POST"),
        (_set("changes.1.path", f"/users/{ANNA}/../../groups/{G_E5}/members/$ref"), "changes[1].path", "for these ids"),
        (_set("changes.1.method", "PATCH"), "changes[1].method", "assign_license is POST"),
        (
            _set("changes.1.body", {"addLicenses": [], "removeLicenses": []}),
            "changes[1].body",
            "adds and removes nothing",
        ),
        (_set("changes.1.body.removeLicenses", ["E5"]), "changes[1].body.removeLicenses[0]", "is not a GUID"),
        (_set("changes.1.body.extra", 1), "changes[1].body.extra", "not a parameter of assignLicense"),
        (_set("changes.1.body.addLicenses", [{"skuId": E5}]), "changes[1].body", f"both adds and removes {E5}"),
        (
            _set("changes.1.body.addLicenses", [{"skuId": E3, "disabledPlans": "x"}]),
            "changes[1].body.addLicenses[0].disabledPlans",
            "must be a list",
        ),
        (
            _set("changes.0.body", {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{_OTHER}"}),
            "changes[0].body.@odata.id",
            f"does not refer to directoryObjects/{ANNA}",
        ),
        (_set("changes.0.group", _DELETE), "changes[0].group", "missing"),
        (_set("changes.2.body", {"x": 1}), "changes[2].body", "remove_member sends no body"),
        (
            _set("changes.1.precondition", [{"holds": E5, "how": "sometimes"}]),
            "changes[1].precondition[0].how",
            'is not "direct"',
        ),
        (_set("changes.1.precondition", [{"owns": E5}]), "changes[1].precondition[0]", "not a precondition"),
        (_set("changes.1.depends_on", [2]), "changes[1].depends_on", "does not come before it"),
        (_set("changes.1.seats", {"SPE_E5": "-1"}), "changes[1].seats", "whole numbers"),
        (_set("policy_files", "policy.yaml"), "policy_files", "a list of file paths"),
        (_set("policy_files", [""]), "policy_files", "a list of file paths"),
        (_set("stopped", []), "stopped", "must be null or an object"),
        (_set("stopped", {**_STOPPED, "n": "7"}), "stopped", "Expected `int`, got `str` - at `$.n`"),
        (_set("stopped", {"n": 7}), "stopped", "missing required field `sku`"),
    ],
)
def test_a_broken_plan_names_the_file_and_field(tmp_path: Path, mutate: Any, field: str, says: str) -> None:
    path = _plan(tmp_path, _broken(mutate))
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {field}: "), message
    assert says in message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"plan_version": 1,', "not valid JSON (line 1"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[]", "not a plan"),
    ],
)
def test_a_file_that_is_no_plan(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    assert str(caught.value).startswith(f"{path}: ") and says in str(caught.value)


def test_the_cli_exits_2_on_a_bad_plan_before_signing_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    path = _plan(tmp_path, _broken(_set("changes.1.kind", "delete_user")))
    assert main(["apply", str(path), "--auth", "token", "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: changes[1].kind: " in err
    assert "AUDITOR_ACCESS_TOKEN" not in err
    assert not list(tmp_path.glob("journal-*"))
    assert main(["apply", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err


def test_the_plan_must_be_for_the_tenant_and_cloud_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    path = _plan(tmp_path, _good())
    assert main(["apply", str(path), "--tenant-id", _OTHER]) == 2
    assert f"--tenant-id {_OTHER}: the plan {path} is for tenant {TENANT}" in capsys.readouterr().err
    assert main(["apply", str(path), "--cloud", "usgov"]) == 2
    assert f"--cloud usgov: the plan {path} is for the worldwide cloud" in capsys.readouterr().err
