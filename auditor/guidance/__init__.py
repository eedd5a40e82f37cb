"""The guidance: what the report says of each rule's findings, and the library it is built with.
Every rule with its guidance, and its texts rendered in a locale, is auditor.rulebook's.

    rules/       each rule's guidance, at its rule module's path (auditor/guidance/rules/hygiene/
                 upkeep.py for auditor/rules/hygiene/upkeep.py): texts, message, remediation, docs

    texts/       the texts' declarations (declare.py: Text, Steps), the shared ones (common.py), the
                 catalogs read from auditor/locale (Catalogs; WORDS: the shared words) and the
                 pybabel extractor (extract.py)
    library.py   RuleGuidance (a rule's texts and remediation), ValueFormatter, shared steps
    remediation.py  Action, Remediation, TextRef: the default fix as Microsoft Graph calls
    details.py     Details: a finding's subject, products and details as the texts read them
    clouds.py, links.py, examples.py   per-cloud variants, documentation links, example findings
"""
