"""The policy language's lower half: YAML with its places (yamlsource), the typed objects the rules
read (objects) and the population selectors (selectors). Loading and validating a policy file is
auditor.policyset.load, with the JSON Schema of auditor.policyset.schema: they stand above the rules,
which give the schema its fragments."""
