"""Properties of the policy YAML reader that docs/policy.md names as reasons to keep it (vs ruamel.yaml)."""

from auditor.cli import main
from auditor.policy.yamlsource import read_yaml

HEAD = "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: bad}\n"


def test_every_duplicate_key_and_the_schema_errors_after_it_are_reported_together(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(
        HEAD + "hygiene:\n  guest_users: {}\n  guest_users: {}\n  disabled_user: {}\n"
        "assignments:\n  - name: a\n    match: {all: true}\n    forbidden: [SPE_E3]\n"
        "    forbidden: [SPE_E5]\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6:3: duplicate key 'guest_users' (first defined on line 5)" in err
    assert f"{path}:12:5: duplicate key 'forbidden' (first defined on line 11)" in err
    assert f"{path}:7:3: unknown key 'disabled_user' in hygiene" in err


def test_scalars_resolve_as_yaml_1_1_and_dates_stay_text():
    doc, issues = read_yaml("p.yaml", (HEAD + "a: yes\nb: off\nc: 2027-01-01\nd: 0x1f\n").encode())
    assert not issues and doc is not None
    assert (doc.data["a"], doc.data["b"], doc.data["c"], doc.data["d"]) == (True, False, "2027-01-01", 31)
    assert doc.where(("c",)) == (6, 4) and doc.where(("c",), key=True) == (6, 1)
