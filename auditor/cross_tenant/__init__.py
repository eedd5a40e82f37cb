"""The cross-tenant rules (`license-auditor merge`) and what they read: each tenant's facts from its
audit folder (inputs) and the identity map that says which accounts are one person (identity); the
rules' texts are in rules_texts.py, beside them. They stand beside the per-tenant rules;
auditor.merge runs them and writes the merged report."""
