"""The policy set, above the rules: what reads every rule to load, check and describe a policy
(auditor/policy/ holds the typed objects the rules read, below them).

    load.py             policy files: YAML, schema validation with located messages, the typed PolicySet
    schema.py           the policy JSON Schema, built from the rules' fragments
    config_problems.py  report.json config_problems: what the configuration says the run could not understand
    starter.py          `license-auditor init`: a first policy for the tenant, every line commented
    rules_page.py       docs/rules.md, generated from the rules (python -m auditor.policyset.rules_page)
    arguments.py        `init` and `validate`'s typed options (auditor/commands/policy.py runs them)
"""
