"""Policy language: YAML (yamlsource) -> JSON-Schema validation (schema) -> typed objects (load)."""
