"""Native review 9 (../shared/reviews/locale-native-review-9.md), held on the catalogs as rounds 6 to 8 are:
each entry is the text's context and domain, the wording the reviewer found, which the text may no longer
say, and the wording that replaced it, which it says (English: the template's msgid; the others: every
plural form). What was answered rather than changed is in tests/reviews/native-review-9-answers.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.usage.copilot_seats_texts import CopilotSeatIdle
from auditor.wording import remediation
from tests.guidance.review_rounds import CatalogEntry, unfixed_in_catalogs

DEVICE = (
    "summary.entitle.device",
    "summary.entitle.scope_device",
    "steps.entitle.device",
    "steps.entitle.scope_device",
)
BUY_MONEY = ("plan_distributor_buy_money", "plan_distributor_buy_cost")

REACH = ("word.reach.policy", "word.reach.review", "steps.replace.source")
# E14: "the direct copy" and "the group's copy" are the direct assignment and the license the group assigns
GROUP = (
    "summary.to_group.redundant",
    "summary.to_group.loss",
    "summary.to_group.redundant.many",
    "summary.to_group.loss.many",
    "steps.group.redundant",
    "steps.group.redundant.many",
    "steps.group.loss",
    "steps.group.loss.many",
)
# E15: a reduction the plan leaves out was "not written"; what it says now
NOT_PLANNED = {
    "distributor_not_planned_no_subscription": "the plan makes no change",
    "distributor_not_planned_seats_short": "the plan makes no change",
    "distributor_not_planned_no_commitment_end": "the plan makes no change",
    "distributor_not_planned_unnamed": "so the plan does not make the change",
    "distributor_not_planned_named_twice": "so the plan does not make the change",
    "distributor_not_planned_not_one": "so the plan does not make the change",
}
# E15 in the languages: the word for "written" gone, the plan's not making the change said
NOT_WRITTEN = {
    Locale.NL: ("geschreven", ("het plan wijzigt niets", "dus het plan voert de wijziging niet uit")),
    Locale.DA: ("skrives", ("planen foretager ingen ændring", "så planen foretager ikke ændringen")),
    Locale.SV: ("skrivs", ("planen gör ingen ändring", "så planen gör inte ändringen")),
    Locale.TR: ("yazılmaz", ("plan hiçbir değişiklik yapmaz", "bu nedenle plan değişikliği yapmaz")),
}


def _not_written(locale: Locale) -> list[CatalogEntry]:
    found, (none, no) = NOT_WRITTEN[locale]
    return [
        (key, "messages", found, none if said == "the plan makes no change" else no)
        for key, said in NOT_PLANNED.items()
    ]


FIXED: dict[Locale, list[CatalogEntry]] = {
    Locale.EN: [
        *((key, "messages", "at your cost", "at your price from the distributor") for key in BUY_MONEY),  # E4
        ("plan_distributor_buy_bill_price", "messages", "the bill's price", "the price in the report's bill"),  # E16
        ("copilot_state_lapsed", "messages", "lapsed", "idle"),  # E3
        ("copilot_head_lapsed", "messages", "Lapsed", "Idle"),  # E3
        ("copilot_rollup_title", "messages", "each history", "on each tenant's latest night"),  # E6
        ("insight_differs", "messages", "the auditor, as", "license-auditor counts, as the licensing terms do"),  # E7
        ("holds_not_checked", "messages", "taken as declared", "accepted without a check"),  # E11
        ("message.disabled_before_audit_log", "guidance", "disabled the account", "has no entry of the account"),  # E13
        ("ticket_noted", "messages", "no second ticket", "it is not noted again"),  # E1
        ("rule.entitlement-missing.message", "guidance", "needs ({via})", "needed for {features}"),  # E9
        ("distributor_not_planned_buy", "messages", "no single", "not exactly one {distributor} subscription"),  # E12
        ("distributor_not_planned_buy", "messages", "not written", "the plan does not make the purchase"),  # E15
        *((key, "messages", "written", said) for key, said in NOT_PLANNED.items()),  # E15, the reductions
        ("distributor_not_planned_not_one", "messages", "no single", "not exactly one {distributor} subscription"),
        ("message.bill.buy_mixed", "guidance", "includes the plan,", "includes the service plan"),  # E5
        ("steps.loss.data", "guidance", "the mailbox, archive or OneDrive", "ends the data"),  # E8
        (
            "rule.spare-seats-under-minimum.message",
            "guidance",
            "{count} of {enabled} licenses",
            " of {enabled} ",
        ),  # E10
        *((key, "guidance", "direct copy", "direct assignment") for key in GROUP),  # E14
        *((key, "guidance", "copy", "the license") for key in ("steps.group.redundant", "steps.group.loss")),  # E14
        ("graph.remove_direct", "guidance", "copy", "the license"),  # E14
        ("plan_reason_group_gives", "messages", "the group's copy", "once the license the group assigns"),  # E14
        ("rule.license-assigned-twice.describe", "guidance", "copy", "The direct assignment usually"),  # E14
    ],
    Locale.NL: [
        ("steps.copilot_chat_only.fact", "guidance", '"', "“{quote}”"),  # S3, in a text newer than the review
        *((key, "guidance", '"', "“") for key in REACH),  # S3: the language's quotation marks
        ("plan_distributor_buy_now", "messages", "afhalen", "weer verwijderen"),  # nl 1
        ("distributor_not_planned_buy", "messages", "-portaal", "{distributor}-portal"),  # nl 2
        ("message.copilot_seat.moves", "guidance", '"naar', "gaat naar {candidate}"),  # nl 3
        ("plan_distributor_buy_money", "messages", "prijs van de klant", "prijs voor de klant"),  # nl 6
        ("rule.entitlement-missing.message", "guidance", "dat nodig is", "nodig voor {features}"),  # nl 5
        ("steps.group_errors.reprocess", "guidance", "{group} Opnieuw", "Opnieuw verwerken op de pagina"),  # nl 4
        ("message.bill.buy_mixed", "guidance", "met het plan", "met het serviceplan"),  # E5
        ("steps.loss.data", "guidance", "het postvak, het archief", "beëindigt de gegevens"),  # E8
        (
            "rule.spare-seats-under-minimum.message",
            "guidance",
            "de {enabled} licenties",
            "{count} licentie",
        ),  # E10
        *_not_written(Locale.NL),  # E15
    ],
    Locale.DA: [
        ("steps.copilot_chat_only.fact", "guidance", '"', "»{quote}«"),  # S3, in a text newer than the review
        *((key, "guidance", '"', "»") for key in REACH),  # S3: the language's quotation marks
        ("plan_distributor_title_buys", "messages", "for sig", "godkendes særskilt"),  # da 1
        ("plan_distributor_buy_now", "messages", "foretages", "Kan udføres nu"),  # da 2
        *(
            (key, "messages", "om måneden", "pr. måned til din indkøbspris hos distributøren") for key in BUY_MONEY
        ),  # da 3
        *((key, "guidance", "fjern brugerens", "tilbagetræk brugerens") for key in DEVICE),  # da 4
        ("copilot_idle_cost", "messages", "Pris, mens", "Omkostning, mens den var ubrugt"),  # da 5
        ("ticket_noted", "messages", "ny sag", "noteres det ikke igen"),  # E1
        ("message.bill.buy_mixed", "guidance", "indeholder planen", "indeholder tjenesteplanen"),  # E5
        ("steps.loss.data", "guidance", "postkassen, arkivet", "forsvinder de data"),  # E8
        (
            "rule.spare-seats-under-minimum.message",
            "guidance",
            "af {enabled} licenser",
            "{count} licens",
        ),  # E10
        *_not_written(Locale.DA),  # E15
    ],
    Locale.SV: [
        ("steps.copilot_chat_only.fact", "guidance", '"', "”{quote}”"),  # S3, in a text newer than the review
        *((key, "guidance", '"', "”") for key in REACH),  # S3: the language's quotation marks
        ("bill_reason_buy_spare", "messages", "Policyn", "Principen behåller"),  # sv 1
        *(
            (key, "guidance", "Intune administrationscenter", "administrationscentret för Microsoft Intune")
            for key in DEVICE[2:]
        ),  # sv 2
        (
            "distributor_not_planned_buy",
            "messages",
            "pekar på klientens,",
            "klientorganisationens Microsoft-prenumeration",
        ),  # sv 3
        *(
            (key, "messages", "i månaden", "per månad till ditt inköpspris hos distributören") for key in BUY_MONEY
        ),  # sv 4
        ("steps.loss.data", "guidance", "Tar du bort den försvinner", "Tar du bort den, försvinner"),  # sv 5
        ("message.bill.buy_mixed", "guidance", "innehåller planen", "innehåller tjänstplanen"),  # E5
        ("steps.loss.data", "guidance", "postlådan, arkivet", "försvinner de data"),  # E8
        (
            "rule.spare-seats-under-minimum.message",
            "guidance",
            "av {enabled} licenser",
            "{count} licens",
        ),  # E10
        *_not_written(Locale.SV),  # E15
    ],
    Locale.TR: [
        ("steps.copilot_chat_only.fact", "guidance", '"', "“{quote}”"),  # S3, in a text newer than the review
        *((key, "guidance", '"', "“") for key in REACH),  # S3: the language's quotation marks
        ("bill_reason_buy_spare", "messages", "Politika", "İlke plandan sonra"),  # tr 1
        ("plan_distributor_buy", "messages", "adetten", "{before} lisanstan {after} lisansa"),  # tr 2
        (
            "distributor_not_planned_buy",
            "messages",
            "kiracınınkini",
            "bu kiracının Microsoft aboneliğini belirten",
        ),  # tr 3
        *((key, "messages", "maliyetinizle", "distribütörden alış fiyatınızla") for key in BUY_MONEY),  # E4's tr
        ("steps.resource.confirm.mailbox", "guidance", "engellidir", "hesabı devre dışıdır"),  # issue 121
        ("message.bill.buy_mixed", "guidance", "için planı içeren", "hizmet planını içeren"),  # E5
        ("steps.loss.data", "guidance", "posta kutusu, arşiv", "bağlı veriler de gider"),  # E8
        *_not_written(Locale.TR),  # E15
    ],
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_what_the_round_9_reviewer_found_is_gone_and_the_fix_is_said(locale: Locale) -> None:
    assert unfixed_in_catalogs(locale, FIXED[locale]) == []


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_a_copilot_seat_that_moves_says_to_give_it_on(locale: Locale) -> None:
    """E2: the seat that goes to a candidate had only its removal's steps, and findings.csv said "Remove …":
    an admin who followed them freed the seat and never gave it to the person waiting."""
    subject, skus, details = CopilotSeatIdle.example_finding
    said = remediation(
        CopilotSeatIdle.id, finding_of(subject, list(skus), details), cloud=Cloud.WORLDWIDE, locale=locale
    )
    summary = said["summary"] if isinstance(said["summary"], str) else " ".join(said["summary"])
    assert "Kim Waits" in said["steps"][-1] and "Kim Waits" in summary
    assert summary.index("Kim Waits") > 0  # after the removal, never instead of it


ROOT = Path(__file__).resolve().parents[2]
# E14 outside the report: "the direct copy", "the group's copy" for a direct assignment and a group's license
COPY = re.compile(r"\b(?:direct|group's|groups'|working|user's) cop(?:y|ies)\b")


def _said(path: Path) -> list[str]:
    """The strings of a module a person reads (its console lines, its errors): every literal but docstrings."""
    tree = ast.parse(path.read_text("utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{path.name}:{node.lineno}: {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_apply_and_undo_say_direct_assignment_as_the_reports_do() -> None:
    """E14's rest: apply's and undo's console lines said "the direct copy" and "the group's copy" where the report
    says "the direct assignment" and "the group's license" (a regular expression over every module's literals)."""
    said = [line for path in sorted((ROOT / "auditor" / "apply").glob("*.py")) for line in _said(path)]
    assert any("direct assignment" in line for line in said)  # the check reads what apply says
    assert [line for line in said if COPY.search(line)] == []


@pytest.mark.parametrize("page", ["docs/rules.md", "docs/policy.md"])
def test_the_docs_say_direct_assignment_as_the_reports_do(page: str) -> None:
    text = " ".join((ROOT / page).read_text("utf-8").split())
    assert COPY.findall(text) == [] and "direct assignment" in text
