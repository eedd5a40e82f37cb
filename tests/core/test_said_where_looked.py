"""Configuration problems said where the person looks: a product typo is named with its file and
line by `validate --snapshot` (also beside an `entitlements:` section) and on audit's console, and a
wrong option value is one line, not a screen of usage."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"


def _typo(tmp_path: Path, *, entitlements: bool) -> tuple[Path, int]:
    """The example policy with SPE_E5 misspelt SPE_E55 in its catalog: the file and the typo's line."""
    lines = EXAMPLE.read_text("utf-8").splitlines()
    at = lines.index("  - sku: SPE_E5")
    lines[at] = "  - sku: SPE_E55"
    if not entitlements:
        start = next(i for i, line in enumerate(lines) if line.startswith("entitlements:"))
        end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
        del lines[start:end]
    path = tmp_path / "typo.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path, at + 1


@pytest.mark.parametrize("entitlements", [True, False])
def test_validate_names_a_product_typo_with_its_line(
    entitlements: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, line = _typo(tmp_path, entitlements=entitlements)
    assert main(["validate", str(path), "--snapshot", str(SAMPLE)]) == 2  # a product no table knows: an error
    err = capsys.readouterr().err
    assert f"error: {path}:{line}: the product SPE_E55 is known neither to the tenant" in err
    assert "did you mean SPE_E5?" in err


def test_validate_does_not_name_a_real_product_the_entitlements_may_buy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entra ID P2, priced for the entitlement rules and not subscribed yet, is no typo."""
    assert main(["validate", str(EXAMPLE), "--snapshot", str(SAMPLE)]) == 0
    assert "84a661c4-e949-4bd2-a560-ed7766fcaf2b" not in capsys.readouterr().err


def test_audit_says_a_product_typo_on_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path, line = _typo(tmp_path, entitlements=True)
    assert main(["audit", "--demo", "--policies", str(path), "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert f"warning: {path}:{line}: the product SPE_E55 is known neither" in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["audit", "--demo", "--locale", "xx"], "argument --locale: invalid choice: 'xx'"),
        (["audit", "--demo", "--fail-on", "huge"], "argument --fail-on: invalid choice: 'huge'"),
        (["plan", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_a_wrong_option_value_is_one_line(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "--help` lists the options" in err
    assert err.count("\n") == 1 and "usage:" not in err
