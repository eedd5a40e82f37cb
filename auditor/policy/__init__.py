"""The policy language's lower half: YAML with its places (yamlsource), the typed objects the rules
read (objects) and the population selectors (selectors). Loading and validating a policy file is
auditor.policy_load, with the JSON Schema of auditor.policy_schema: they stand above the rules,
which give the schema its fragments."""
