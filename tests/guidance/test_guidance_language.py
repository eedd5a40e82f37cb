"""The guidance reads as a native speaker writes it, one class of mistake per test, over every text
of both catalogs (guidance and report labels) in every language:

- a text that shows a number is counted and agrees with it, for 1 and for 2 (derived from the
  catalogs: a new counted text is covered without being listed here);
- (one term per thing: auditor/locale/glossary.csv, tests/guidance/test_glossary.py);
- a negation says what it means ("not every part could be applied", not "no part could");
- subscription states carry the admin center's name, with Graph's value beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor import i18n, wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance import texts
from auditor.guidance.library import ValueFormatter
from auditor.rules.hygiene.upkeep import SubscriptionExpiring
from auditor.rules.seats import SpareSeatsUnderMinimum
from tests import po_catalogs as po
from tests.guidance.agreement import agreement_errors

ROOT = Path(__file__).parents[2]
TRANSLATED = [locale for locale in Locale if locale is not Locale.EN]


def _texts(locale: Locale, domain: str) -> Iterator[tuple[str, str]]:
    """(key, text) of every form of every entry of one language's catalog (English: the template)."""
    path = ROOT / "auditor" / "locale" / f"{domain}.pot" if locale is Locale.EN else po.po_path(locale, domain)
    for message in po.messages(po.read_catalog(path)):
        for form in po.forms(message.id if locale is Locale.EN else message.string):
            yield str(message.context), form


def _all_texts(locale: Locale) -> Iterator[tuple[str, str]]:
    yield from _texts(locale, texts.DOMAIN)
    yield from _texts(locale, i18n.DOMAIN)


# --- counted texts ---------------------------------------------------------------------------------


def _templates() -> dict[str, tuple[str, ...]]:
    """Each guidance text of the template by key (a step of a block under its own key), its forms."""
    catalog = po.read_catalog(ROOT / "auditor" / "locale" / f"{texts.DOMAIN}.pot")
    return {str(m.context): po.forms(m.id) for m in po.messages(catalog)}


def test_every_text_that_shows_a_number_is_counted_and_shows_it_as_count() -> None:
    """ "1 of 199 licenses are free", "(1 days left)": a text that shows a number has plural forms,
    and the number it agrees with is {count}."""
    shows = {key: forms for key, forms in _templates().items() if po.fields(forms[0]) & texts.NUMBERS}
    assert len(shows) > 20
    assert sorted(key for key, forms in shows.items() if len(forms) != 2) == [], "not counted"
    assert sorted(key for key, forms in shows.items() if "count" not in po.fields(forms[0])) == [], (
        "counted, but the number it agrees with is not {count}"
    )


def test_numbers_reach_texts_only_under_number_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule's example finding, in every cloud: a whole number a text shows comes under a name
    of texts.NUMBERS, so the test above sees every text that shows one (a new placeholder such as
    {days} holding a number fails here)."""
    rendered = wording.render
    wrong: set[str] = set()
    seen: set[str] = set()

    def spy(locale: Locale, key: str, values: Any) -> list[str]:
        text = wording.raw(locale, key)
        for item in (text,) if isinstance(text, str) else text:
            for name in texts.fields(item):
                if re.fullmatch(r"-?\d+", str(values.get(name))):
                    seen.add(key)
                    if name not in texts.NUMBERS | texts.FIGURES:
                        wrong.add(f"{key}: {{{name}}}")
        return rendered(locale, key, values)

    monkeypatch.setattr(wording, "render", spy)
    for rule in wording.by_id().values():
        subject, skus, details = rule.example_finding
        wording.message(rule.id, finding_of(subject, skus, details), locale=Locale.EN)
        for cloud in Cloud:
            wording.remediation(rule.id, finding_of(subject, skus, details), cloud=cloud, locale=Locale.EN)
    assert len(seen) > 10
    assert sorted(wrong) == []


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_every_counted_text_agrees_with_one_and_with_two(locale: Locale) -> None:
    """Each counted text that shows its count, rendered with 1 and with 2 (the other numbers it
    shows with 7): no "1 days", "2 license", "1 of 7 licenses are" in any language."""
    catalog = wording.CATALOGS[locale]
    checked = 0
    errors: list[str] = []
    for key, forms in _templates().items():
        if "count" not in po.fields(forms[0]) or len(forms) != 2:
            continue
        step = re.fullmatch(r"(.+)\.(\d+)", key)
        block, index = (key, 0) if step is None or key in catalog else (step[1], int(step[2]))
        items = (lambda text: (text,) if isinstance(text, str) else text)(catalog[block])
        for n in (1, 2):
            values = {name: "X" for item in items for name in texts.fields(item)}
            values |= dict.fromkeys(texts.NUMBERS - {"count"}, "7")
            text = wording.render(locale, block, {**values, "count": str(n)})[index]
            errors += [f"{key} ({n}): {pattern} in {text!r}" for pattern in agreement_errors(text, locale, n)]
        checked += 1
    assert checked > 25
    assert errors == []


ONE_OF_199 = {
    Locale.EN: ("1 license of 199 is free", "(1 day left)"),  # native review 9, E10: "1 of 1 licenses is free"
    Locale.NL: ("1 licentie van de 199 is vrij", "(nog 1 dag)"),
    Locale.DA: ("1 licens af 199 er ledig;", "(1 dag tilbage)"),
    Locale.SV: ("1 licens av 199 är ledig;", "(1 dag kvar)"),
    Locale.TR: ("199 lisanstan 1 tanesi boş", "(1 gün kaldı)"),
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_the_reported_counted_texts_count(locale: Locale) -> None:
    """The two texts the review quoted: "1 of 199 licenses are free" and "(1 days left)"."""
    free, left = ONE_OF_199[locale]
    seats = wording.message(
        SpareSeatsUnderMinimum.id,
        finding_of(
            {"type": "sku", "id": "e3", "sku": "SPE_E3"},
            ["SPE_E3"],
            {"enabled": 199, "consumed": 198, "unused": 1, "min": 5},
        ),
        locale=locale,
    )
    assert free in seats
    ending = wording.message(
        SubscriptionExpiring.id,
        finding_of(
            {"type": "subscription", "id": "s", "sku": "SPE_E3"},
            ["SPE_E3"],
            {
                "status": "Enabled",
                "is_trial": False,
                "days_left": 1,
                "next_lifecycle": "2026-11-02T00:00:00Z",
                "total_licenses": 10,
            },
        ),
        locale=locale,
    )
    assert left in ending


# --- one term per thing: auditor/locale/glossary.csv, held by tests/guidance/test_glossary.py ----------------


# A universal under a negation says that nothing was applied: "alla delar kunde inte tillämpas",
# "her bölümü uygulanamadı". Write "not every part" ("inte alla delar", "tüm bölümleri").
NEGATION = {
    Locale.EN: r"\ball (parts )?of it could not\b|\bevery part of it could not\b",
    Locale.NL: r"\balle (delen|onderdelen)\b[^.;:]*\bkon(den)? niet\b",
    Locale.DA: r"\balle (dele|delene)\b[^.;:]*\bkunne ikke\b",
    Locale.SV: r"\balla delar\b[^.;:]*\bkunde inte\b",
    Locale.TR: r"\bher bölümü\b[^.;:]*(amadı|emedi)\b",
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_a_negation_says_what_it_means(locale: Locale) -> None:
    assert [key for key, text in _all_texts(locale) if re.search(NEGATION[locale], text)] == []
    partial = wording.render_one(locale, "summary.error.partial", {"sku": "A", "user": "B"})
    assert partial != wording.render_one(locale, "rule.license-assignment-error.describe", {})


# --- subscription states ----------------------------------------------------------------------------

GRAPH_STATES = ("Enabled", "Warning", "Suspended", "LockedOut", "Deleted")


def _value_word(locale: Locale, state: str) -> str:
    """Graph's value as a report in `locale` says it beside the state's name: as Graph gives it in
    English, in the seats table's words in a translated report (native review 5, S2)."""
    if state not in ("Warning", "Suspended", "LockedOut"):
        return state
    return ValueFormatter(locale).word(f"state_value.{state.lower()}")


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_states_have_one_name_in_the_texts_and_the_tables(locale: Locale) -> None:
    """The guidance's word for each state is the seat table's (report labels), and the table shows
    Graph's value beside it as the steps do."""
    from auditor.report.view.seats import subscription_state

    t = i18n.translations(locale)
    for state in GRAPH_STATES:
        name = ValueFormatter(locale).word(f"state.{state.lower()}")
        beside = _value_word(locale, state)
        assert subscription_state(t, state) == (name if state == "Enabled" else f"{name} ({beside})")
        assert ValueFormatter(locale).state(state) == f"{name} ({beside})"
    assert subscription_state(t, "SomethingNew") == "SomethingNew"


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_a_text_that_names_a_graph_state_names_it_as_the_admin_center_does(locale: Locale) -> None:
    """Graph's value stands only in parentheses ("Expired (Warning)", "disabled (Suspended or
    LockedOut)") right after the admin center's name of the state (inflected as the sentence needs:
    the name's first five letters), never alone."""
    words = {state: wording.render_one(locale, f"word.state.{state.lower()}", {}) for state in GRAPH_STATES}
    values = {_value_word(locale, state): state for state in GRAPH_STATES}
    named = 0
    errors: list[str] = []
    for key, text in _texts(locale, texts.DOMAIN):
        if key.startswith(("word.state.", "word.state_value.")):
            continue
        for match in re.finditer(r"\b(" + "|".join(map(re.escape, values)) + r")\b", text):
            state = values[match[1]]
            opened = text.rfind("(", 0, match.start())
            inside = opened >= 0 and ")" not in text[opened : match.start()]
            before = text[max(0, opened - 40) : opened].lower()
            if not inside and locale is not Locale.EN:
                continue  # a translated value is a word of the language too ("tjänstplanen … avstängd")
            if not inside or words[state][:5].lower() not in before:
                errors.append(f"{key}: {state} in {text!r}")
            named += 1
    assert named >= 8
    assert errors == []


def test_the_seat_table_shows_the_states_by_name() -> None:
    from auditor.report.view.seats import subscription_state

    assert [subscription_state(i18n.translations(Locale.NL), s) for s in ("Enabled", "Warning", "LockedOut")] == [
        "Actief",
        "Verlopen (waarschuwing)",  # Graph's value in the report's words (native review 5, S2)
        "Uitgeschakeld (vergrendeld)",
    ]


def test_a_past_subscription_names_its_state() -> None:
    for locale, expected in ((Locale.EN, "Expired (Warning)"), (Locale.DA, "Udløbet (advarsel)")):
        fix = wording.remediation(
            SubscriptionExpiring.id,
            finding_of(
                {"type": "subscription", "id": "s", "sku": "SPE_E3"},
                ["SPE_E3"],
                {
                    "status": "Warning",
                    "is_trial": False,
                    "days_left": -3,
                    "next_lifecycle": "2026-12-01T00:00:00Z",
                    "total_licenses": 10,
                },
            ),
            cloud=Cloud.WORLDWIDE,
            locale=locale,
        )
        assert expected in fix["summary"]
