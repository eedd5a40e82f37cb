"""The guidance library: what each rule's texts (beside the rule, named for its module with
`_texts`: auditor/rules/hygiene/upkeep_texts.py) are built with. Every rule with its texts,
rendered in a locale, is auditor.wording's.

    texts/       the texts' declarations (texts/declare.py: Text, Steps), the shared ones
                 (texts/common.py), the catalogs read from auditor/locale (Catalogs; WORDS: the
                 shared words) and the pybabel extractor (texts/extract.py)
    library.py   RuleGuidance (a rule's texts and remediation), ValueFormatter, shared steps
    remediation.py  Action, Remediation, TextRef: the default fix as Microsoft Graph calls
    details.py     Details: a finding's subject, products and details as the texts read them
    cloud_variants.py, links.py, examples.py   per-cloud variants, documentation links, example findings
"""
