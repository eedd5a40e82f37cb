"""The guidance library: what the rules build their texts and remediation with. No rule lists:
every rule with guidance, and its texts rendered in a locale, is auditor.rulebook's.

    texts/       the texts' declarations (declare.py: Text, Steps), the shared ones (common.py), the
                 catalogs read from auditor/locale (Catalogs; WORDS: the shared words) and the
                 pybabel extractor (extract.py)
    library.py   RuleGuidance (a rule's texts and remediation), ValueFormatter, shared steps
    remediation.py  Action, Remediation, TextRef: the default fix as Microsoft Graph calls
    facts.py     Facts: a finding's subject, products and details as the texts read them
    clouds.py, links.py, examples.py   per-cloud variants, documentation links, example findings
"""
