"""How a guidance text is declared in the code that uses it: its key and its English.

A rule declares its own texts on its class (`texts = (Text(...), Steps(...))`: its title, describe,
message and variants, and the steps and summaries only it uses); texts several rules share live in
auditor/guidance/texts/common.py. The key is the text's msgctxt in the gettext catalogs, the
English its msgid: `pybabel extract` writes auditor/locale/guidance.pot from these declarations
(extract.py), and at run time a language's guidance.po gives the translation of each, or the
English when it has none (docs/guidance.md, "Translating the guidance").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# One step of a block: its English, or (singular, plural) for a counted step.
Step = str | tuple[str, str]


@dataclass(frozen=True)
class Text:
    """One text: `Text(key, english)`, or `Text(key, singular, plural)` for a counted text (its form
    follows the value `count`: docs/guidance.md); `Text(key, english, counted=True)` for a counted
    text whose English reads the same for one and many ("Remove {sku}"), its plural being itself.
    `note="TRANSLATORS: ..."` is the translator note of a text a word of which reads two ways ("holds",
    "plan", "policy", "subscription"), kept beside the text: extract.py writes it into the catalogs as
    `#.`, as it does the notes of auditor/locale/notes.csv (a text has one or the other)."""

    key: str
    english: str
    plural: str | None = None
    counted: bool = False
    note: str | None = None

    def entries(self) -> Iterator[tuple[str, str, str | None]]:
        yield self.key, self.english, self.english if self.counted else self.plural


@dataclass(frozen=True, init=False)
class Steps:
    """A block of steps, rendered whole: `Steps(key, step, step, ...)`. Each step is an entry of its
    own in the catalogs, keyed `<key>.0`, `<key>.1`, … in order."""

    key: str
    steps: tuple[Step, ...]

    def __init__(self, key: str, *steps: Step) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "steps", steps)

    def entries(self) -> Iterator[tuple[str, str, str | None]]:
        for index, step in enumerate(self.steps):
            one, other = step if isinstance(step, tuple) else (step, None)
            yield f"{self.key}.{index}", one, other


Declared = Text | Steps
