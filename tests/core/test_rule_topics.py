"""A topic folder or a rule module left out of the registry fails here, not silently: the registry
(auditor/rules/__init__.py) names each topic folder, and each folder's `RULES` each module's, by hand
(the order is the policy's, docs/adding-a-rule.md, "A new topic"), so a forgotten line would leave a
rule that nothing runs and whose texts nothing reads."""

from __future__ import annotations

import importlib
import pkgutil

import auditor.rules
from auditor.rules import RULES


def test_every_topic_folder_and_rule_module_is_in_the_registry() -> None:
    registered = {id(rule) for rule in RULES}
    folders = [m.name for m in pkgutil.iter_modules(auditor.rules.__path__, "auditor.rules.") if m.ispkg]
    assert len(folders) >= 7
    unregistered = []
    for folder in folders:
        package = importlib.import_module(folder)
        modules = [
            m.name for m in pkgutil.iter_modules(package.__path__, folder + ".") if not m.name.endswith("_texts")
        ]
        for name in [folder, *modules]:
            found = getattr(importlib.import_module(name), "RULES", ())
            unregistered += [f"{name}: {rule.id}" for rule in found if id(rule) not in registered]
        if not any(type(rule).__module__.startswith(folder + ".") for rule in RULES):
            unregistered.append(f"{folder}: no rule of the folder in auditor.rules.RULES")
    assert unregistered == []
