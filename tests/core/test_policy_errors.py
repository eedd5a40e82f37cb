"""The bad-input corpus: every malformed policy gets `file:line:column: message` and exit 2."""

import pytest

from auditor.cli import main

HEAD = "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: bad}\n"

CASES = [
    # (id, file content, expected line, expected message fragment)
    ("empty", "", 1, "file is empty"),
    ("only-comments", "# nothing here\n", 1, "file is empty"),
    ("yaml-syntax", HEAD + "assignments: [\n", 5, "YAML syntax error"),
    ("bad-indent", HEAD + "hygiene:\n  disabled_users: {}\n guest_users: {}\n", 6, "YAML syntax error"),
    ("tab-indent", HEAD + "hygiene:\n\tdisabled_users: {}\n", 5, "YAML syntax error"),
    ("duplicate-top-key", HEAD + "hygiene: {}\nhygiene: {}\n", 5, "duplicate key 'hygiene' (first defined on line 4)"),
    (
        "duplicate-nested-key",
        HEAD + "hygiene:\n  guest_users: {}\n  guest_users: {}\n",
        6,
        "duplicate key 'guest_users'",
    ),
    ("unknown-top-key", HEAD + "asignments: []\n", 4, "did you mean 'assignments'"),
    (
        "unknown-assignment-key",
        HEAD + "assignments:\n  - name: a\n    match: {all: true}\n    alowed: [SPE_E3]\n",
        7,
        "unknown key 'alowed' in assignments[0]; did you mean 'allowed'",
    ),
    (
        "unknown-selector-key",
        HEAD + "assignments:\n  - name: a\n    match: {group: [x]}\n    forbidden: [SPE_E3]\n",
        6,
        "did you mean 'groups'",
    ),
    ("unknown-hygiene-key", HEAD + "hygiene:\n  disabled_user: {}\n", 5, "did you mean 'disabled_users'"),
    ("missing-metadata", "apiVersion: license-auditor/v1\nkind: LicensePolicy\n", 1, "missing required key 'metadata'"),
    ("wrong-api-version", HEAD.replace("v1", "v2"), 1, 'must be "license-auditor/v1"'),
    ("wrong-kind", HEAD.replace("LicensePolicy", "Policy"), 2, 'must be "LicensePolicy"'),
    (
        "all-false",
        HEAD + "assignments:\n  - name: a\n    match: {all: false}\n    forbidden: [SPE_E3]\n",
        6,
        "match.all: must be true, got false",
    ),
    (
        "nan-price",
        HEAD + "catalog:\n  - sku: SPE_E3\n    price: {monthly: .nan, currency: EUR}\n",
        6,
        "'.nan' is not a finite number",
    ),
    ("inf-percent", HEAD + "catalog:\n  - sku: SPE_E3\n    spare_seats: {max_percent: .inf}\n", 6, "finite"),
    ("deep-nesting", HEAD + "x: " + "[" * 20000 + "\n", 1, "nested too deeply"),
    ("nul-byte", HEAD + "metadata_owner: a\x00b\n", 0, "YAML"),
    ("top-level-list", "- a\n- b\n", 1, "expected a mapping at the top level"),
    ("top-level-scalar", "hello\n", 1, "expected a mapping at the top level"),
    ("assignments-not-list", HEAD + "assignments: {name: a}\n", 4, "assignments: expected a list, got mapping"),
    (
        "allowed-not-list",
        HEAD + "assignments:\n  - name: a\n    match: {all: true}\n    allowed: SPE_E3\n",
        7,
        "expected a list, got string",
    ),
    ("missing-match", HEAD + "assignments:\n  - name: a\n    forbidden: [SPE_E3]\n", 5, "missing required key 'match'"),
    ("empty-selector", HEAD + "assignments:\n  - name: a\n    match: {}\n    forbidden: [SPE_E3]\n", 6, "match"),
    (
        "bad-sku-ref",
        HEAD + "assignments:\n  - name: a\n    match: {all: true}\n    forbidden: ['SPE E3']\n",
        7,
        "is not a SKU part number",
    ),
    (
        "bad-user-type",
        HEAD + "assignments:\n  - name: a\n    match: {user_types: [Guests]}\n    forbidden: [SPE_E3]\n",
        6,
        "'Guests' is not one of: Member, Guest; did you mean 'Guest'",
    ),
    (
        "bad-usage-location",
        HEAD + "assignments:\n  - name: a\n    match: {usage_locations: [NLD]}\n    forbidden: [SPE_E3]\n",
        6,
        "does not match",
    ),
    ("bad-severity", HEAD + "hygiene:\n  guest_users: {severity: urgent}\n", 5, "'urgent' is not one of"),
    ("days-not-int", HEAD + "hygiene:\n  inactive_users: {days: ninety}\n", 5, "expected an integer, got string"),
    ("days-missing", HEAD + "hygiene:\n  inactive_users: {severity: low}\n", 5, "missing required key 'days'"),
    ("days-negative", HEAD + "hygiene:\n  expiring_subscriptions: {days: -3}\n", 5, "minimum"),
    ("max-percent-over-100", HEAD + "catalog:\n  - sku: SPE_E3\n    spare_seats: {max_percent: 150}\n", 6, "maximum"),
    (
        "min-above-max",
        HEAD + "catalog:\n  - sku: SPE_E3\n    spare_seats: {min: 5, max: 2}\n",
        6,
        "min (5) is above max (2)",
    ),
    ("duplicate-catalog-sku", HEAD + "catalog:\n  - sku: SPE_E3\n  - sku: spe_e3\n", 6, "already listed"),
    ("bad-currency", HEAD + "catalog:\n  - sku: SPE_E3\n    price: {monthly: 3, currency: euro}\n", 6, "currency"),
    (
        "price-not-number",
        HEAD + "catalog:\n  - sku: SPE_E3\n    price: {monthly: cheap, currency: EUR}\n",
        6,
        "expected a number, got string",
    ),
    (
        "unknown-waiver-rule",
        HEAD + "waivers:\n  - rule: sku-forbiden\n    subject: a@b.c\n    reason: r\n"
        "    owner: o\n    expires: 2027-01-01\n",
        5,
        "did you mean 'sku-forbidden'",
    ),
    (
        "malformed-date",
        HEAD + "waivers:\n  - rule: sku-forbidden\n    subject: a@b.c\n    reason: r\n"
        "    owner: o\n    expires: 2027-13-45\n",
        9,
        "'2027-13-45' is not a valid calendar date",
    ),
    (
        "date-wrong-format",
        HEAD + "waivers:\n  - rule: sku-forbidden\n    subject: a@b.c\n    reason: r\n"
        "    owner: o\n    expires: 30/06/2027\n",
        9,
        "is not a date in the form YYYY-MM-DD",
    ),
    (
        "waiver-missing-owner",
        HEAD + "waivers:\n  - rule: sku-forbidden\n    subject: a@b.c\n    reason: r\n    expires: 2027-01-01\n",
        5,
        "missing required key 'owner'",
    ),
    (
        "duplicate-assignment-name",
        HEAD + "assignments:\n  - name: a\n    match: {all: true}\n  - name: a\n    match: {all: true}\n",
        7,
        "'a' is already used",
    ),
    (
        "required-not-allowed",
        HEAD + "assignments:\n  - name: a\n    match: {all: true}\n    allowed: [SPE_F1]\n    required_any: [SPE_E3]\n",
        8,
        "required but not in 'allowed'",
    ),
    (
        "exclusive-single",
        HEAD + "assignments:\n  - name: a\n    match: {all: true}\n    exclusive: [[SPE_E3]]\n",
        7,
        "exclusive[0]",
    ),
    (
        "group-based-only-string",
        HEAD + "assignments:\n  - name: a\n    match: {all: true}\n    group_based_only: yes please\n",
        7,
        "expected true, false or a list of SKUs",
    ),
    ("unknown-severity-rule", HEAD + "severities:\n  sku-forbiden: high\n", 5, "did you mean 'sku-forbidden'"),
    (
        "bad-policy-name",
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: 'has spaces'}\n",
        3,
        "does not match",
    ),
    ("merge-key", HEAD + "base: &b {days: 3}\nhygiene:\n  inactive_users:\n    <<: *b\n", 7, "merge keys"),
    ("custom-tag", HEAD + "hygiene: !!python/object:os.system {}\n", 4, "unsupported YAML tag"),
    ("two-documents", HEAD + "---\n" + HEAD, 5, "one policy per file"),
    (
        "alias-bomb",
        HEAD
        + 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
        + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcde", "bcdef", strict=True)),
        0,
        "alias bomb",
    ),
]


@pytest.mark.parametrize(("content", "line", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_policy(tmp_path, capsys, content, line, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert fragment in err, err
    if line:
        assert f"{path}:{line}:" in err, err
    else:
        assert err.startswith(f"{path}:"), err


def test_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(HEAD.encode() + "metadata_owner: J\xf6rg\n".encode("latin-1"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4:18: file is not valid UTF-8" in err


def test_oversized(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_text(HEAD + "# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "policy files are limited to" in capsys.readouterr().err


def test_every_problem_is_reported_not_just_the_first(tmp_path, capsys):
    path = tmp_path / "many.yaml"
    path.write_text(HEAD + "hygiene:\n  guest_user: {}\n  disabled_users: {severity: urgent}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5:3: unknown key 'guest_user'" in err and f"{path}:6:" in err


def test_duplicate_policy_names_across_files(tmp_path, capsys):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(HEAD, encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    assert "policy name 'bad' is already used" in capsys.readouterr().err


def test_mixed_currencies_across_files(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(HEAD + "catalog:\n  - sku: SPE_E3\n    price: {monthly: 1, currency: EUR}\n")
    (tmp_path / "b.yaml").write_text(
        HEAD.replace("bad", "other") + "catalog:\n  - sku: SPE_E5\n    price: {monthly: 1, currency: USD}\n"
    )
    assert main(["validate", str(tmp_path)]) == 2
    assert "more than one currency" in capsys.readouterr().err


def test_corpus_is_large_enough():
    assert len(CASES) + 5 >= 30


SEMANTIC = (
    HEAD
    + """catalog:
  - sku: SPE_E3
    spare_seats: {min: 5, max: 3}
  - sku: spe_e3
    free: true
    price: {monthly: 3, currency: EUR}
assignments:
  - name: a
    match: {all: true}
    allowed: [SPE_E3]
    forbidden: [SPE_E3]
    required_any: [SPE_F1]
  - name: a
    match: {all: true}
waivers:
  - {rule: sku-forbidden, subject: a@b.c, reason: r, owner: o, expires: 2027-02-30}
cross_tenant:
  domain_map: {a.example: b.example, b.example: c.example}
"""
)


def test_problems_past_the_schema_each_at_its_place_in_document_order(tmp_path, capsys):
    """The checks the rule families make on a valid document (seats, assignments, waivers; the
    cross-tenant map), with their exact text and position."""
    path = tmp_path / "semantic.yaml"
    path.write_text(SEMANTIC, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    got = [line.removeprefix(f"{path}:") for line in err.splitlines() if line.startswith(f"{path}:")]
    assert got == [
        "6:18: catalog[0].spare_seats: min (5) is above max (3)",
        "7:10: catalog[1].sku: spe_e3 is already listed at catalog[0]",
        "9:12: catalog[1]: a free product cannot have a price",
        "15:20: assignments[0].required_any: SPE_F1 is required but not in 'allowed'",
        "14:17: assignments[0].forbidden: SPE_E3 is both allowed and forbidden",
        "16:11: assignments[1].name: 'a' is already used by assignments[0]",
        "19:73: waivers[0].expires: '2027-02-30' is not a valid calendar date",
        "21:15: cross_tenant.domain_map: a.example maps to b.example, which is itself mapped; "
        "map a.example straight to c.example",
    ], err


@pytest.mark.parametrize(
    "monthly", [".nan", ".inf", "-.inf", "1.0e+308", "9" * 400, "1.0e+12", "-1", "-0.5", "'12'", "true", "[12]"]
)
def test_validate_and_audit_agree_on_a_price_the_audit_cannot_compute_with(tmp_path, capsys, monthly):
    """A price is summed over seats and users and formatted as money: one that cannot be (not a
    number, not finite, negative, beyond any seat's price in any currency) is a policy error in
    both commands, at its line, never a validation that passes and an audit that fails."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"
    path = tmp_path / "prices.yaml"
    path.write_text(HEAD + f"catalog:\n  - sku: SPE_E3\n    price: {{monthly: {monthly}, currency: EUR}}\n")
    assert main(["validate", str(path)]) == 2
    validate_err = capsys.readouterr().err
    assert (
        main(
            [
                "audit",
                "--policies",
                str(path),
                "--snapshot",
                str(sample),
                "--output-dir",
                str(tmp_path / "out"),
                "--as-of",
                "2026-11-01T06:00:00Z",
            ]
        )
        == 2
    )
    audit_err = capsys.readouterr().err
    named = [line for line in validate_err.splitlines() if line.startswith(f"{path}:6:")]
    assert named and named == [line for line in audit_err.splitlines() if line.startswith(f"{path}:6:")]
    assert "internal error" not in validate_err + audit_err
    assert not (tmp_path / "out" / "report.json").exists()


def test_the_largest_price_the_policy_takes_is_computed_with(tmp_path, capsys):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"
    path = tmp_path / "prices.yaml"
    path.write_text(HEAD + "catalog:\n  - sku: SPE_E3\n    price: {monthly: 1000000000, currency: EUR}\n")
    assert main(["validate", str(path)]) == 0
    assert (
        main(
            [
                "audit",
                "--policies",
                str(path),
                "--snapshot",
                str(sample),
                "--output-dir",
                str(tmp_path / "out"),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
            ]
        )
        == 0
    )
    assert (tmp_path / "out" / "report.html").exists()
