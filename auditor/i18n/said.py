"""Sentences the engine and the rules write into report.json in English (a rule not evaluated and why,
a warning), said again in the report's language when a report is rendered.

report.json keeps them in English (its readers are programs and logs, and a merged report reads the
tenants' report.json files): each is declared here once, by its msgctxt and its English template,
and its producer writes it with `Said.say`. A renderer gives any such text to `localize`: a text
that one of these templates wrote ("tenant data not collected: signInActivity", also after a prefix
such as a merged report's "Contoso: ") comes back in the locale, with the same values; any other
text comes back as it is.

The declarations call `pgettext` (below) so that `pybabel extract` finds them with its default
keywords, as it finds the report labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.i18n.labels import Translations


@dataclass(frozen=True)
class Said:
    """One English sentence with `str.format` fields, and its msgctxt in the "messages" catalogs."""

    context: str
    english: str

    def say(self, **values: object) -> str:
        """The English sentence, as report.json keeps it."""
        return self.english.format(**values)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The sentence as written by `say`, after any prefix: each field matches any text."""
        parts = re.split(r"\{(\w+)\}", self.english)
        body = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        return re.compile(rf"(?P<said_prefix>.*?){body}", re.DOTALL)

    def localize(self, text: str, t: Translations, product: Callable[[str], str] = str) -> str | None:
        found = self.pattern.fullmatch(text)
        if found is None:
            return None
        values = found.groupdict()
        prefix = values.pop("said_prefix")
        for name in ("product", "sku"):  # a part number, said by the product's name
            if name in values:
                values[name] = product(values[name])
        if "where" in values:
            values["where"] = _where(values["where"], t, product)
        if "what" in values:
            values["what"] = _what(values["what"], t)
        return prefix + t.pgettext(self.context, self.english, **values)


def pgettext(context: str, english: str) -> Said:
    """A declared sentence (named as gettext's call, so that `pybabel extract` finds it)."""
    return Said(context, english)


NOT_COLLECTED = pgettext("said_not_collected", "tenant data not collected: {what}")
# the entitlement rules' two reasons (auditor.rules.entitlements), before NOT_COLLECTED in SAID
SCOPE_NOT_COLLECTED = pgettext(
    "said_scope_not_collected",
    "tenant data not collected: whom the security features reach (collect with a policy that has an "
    "entitlements section)",
)
SCOPE_REFUSED = pgettext(
    "said_scope_refused",
    "tenant data not collected: every read the entitlements section needs was refused (see the gaps)",
)
# a rule judged without the places listing's rooms (auditor.data.reads.Without): the judgements it could not make
ROOMS_NOT_LISTED = pgettext(
    "said_rooms_not_listed",
    "judged without {what}: a room mailbox whose purpose was not read (one that signs in) could not be found",
)
GROUP_NOT_IN_TENANT = pgettext("said_group_absent", "group {groups} named by the policy is not in the tenant data")
LICENSING_GROUP_NONE = pgettext(
    "said_licensing_group_none", "{where} matches no group in the tenant; its findings need an admin's decision"
)
LICENSING_GROUP_MANY = pgettext(
    "said_licensing_group_many",
    "{where} matches {n} groups in the tenant; name the group by its object id; its findings need an admin's decision",
)
LICENSING_GROUP_NOT_ASSIGNING = pgettext(
    "said_licensing_group_not_assigning",
    "{where}: the group does not assign {product}; its findings need an admin's decision",
)

SKU_NOT_IN_TENANT = pgettext(
    "said_sku_absent", "policy {policy} names the product {sku}, which the tenant does not have"
)
# the place a licensing-group sentence names: the policy file's line, the key and the product
LICENSING_GROUP_WHERE = pgettext("said_licensing_group_where", '{place}: licensing_group "{group}" for {product}')

# a `copilot_seats` entry naming a bundle (auditor/rules/usage/copilot_seats.py): its idle seats are not judged
COPILOT_BUNDLE = pgettext(
    "said_copilot_bundle",
    "{place}: copilot_seats names {product}, which carries a suite beside Copilot ({plans}): an idle seat taken "
    "would take the suite with it; name the Copilot product alone",
)

SAID: tuple[Said, ...] = (
    SCOPE_NOT_COLLECTED,
    SCOPE_REFUSED,
    NOT_COLLECTED,
    ROOMS_NOT_LISTED,
    GROUP_NOT_IN_TENANT,
    LICENSING_GROUP_NONE,
    LICENSING_GROUP_MANY,
    LICENSING_GROUP_NOT_ASSIGNING,
    SKU_NOT_IN_TENANT,
    COPILOT_BUNDLE,
)


def _where(text: str, t: Translations, product: Callable[[str], str]) -> str:
    """A licensing-group sentence's `{where}` ('p.yaml:7: licensing_group "E3 Users" for SPE_E3') in
    t's language, with the product by its name; any other text as it is."""
    found = LICENSING_GROUP_WHERE.pattern.fullmatch(text)
    if found is None or found["said_prefix"]:
        return text
    return t.pgettext(
        LICENSING_GROUP_WHERE.context,
        LICENSING_GROUP_WHERE.english,
        place=found["place"],
        group=found["group"],
        product=product(found["product"]),
    )


def _parts(t: Translations) -> dict[str, str]:
    """The parts of the tenant data a collection reads, by the name report.json keeps (a Graph resource or
    property, the snapshot's section), in the words a reader knows."""
    return {
        "signInActivity": t.pgettext("part_sign_ins", "the users' sign-in activity"),
        "mailboxSettings": t.pgettext("part_mailbox_settings", "the mailboxes' settings"),
        "usageReports": t.pgettext("part_usage_reports", "the usage reports"),
        "agentUsers": t.pgettext("part_agent_users", "the agent users"),
        "rooms": t.pgettext("part_rooms", "the rooms of the places listing"),
        "groups": t.pgettext("part_groups", "the groups"),
        "users": t.pgettext("part_users", "the users"),
        "subscribedSkus": t.pgettext("part_subscribed_skus", "the tenant's products"),
    }


def _what(text: str, t: Translations) -> str:
    """NOT_COLLECTED's `{what}` ("signInActivity, usageReports (getMailboxUsageDetail)") by the parts'
    names in t's language; a Graph report's name in brackets stays, and a name not known stays as it is."""
    names = _parts(t)
    said = []
    for item in re.split(r",\s+(?![^()]*\))", text):
        found = re.fullmatch(r"(\w+)( \(.+\))?", item)
        said.append(names[found[1]] + (found[2] or "") if found and found[1] in names else item)
    return ", ".join(said)


def localize(text: str, t: Translations, product: Callable[[str], str] = str) -> str:
    """`text` in t's language when one of the declared sentences wrote it, else `text` itself;
    `product` names a part number the sentence holds (the report's product names)."""
    for said in SAID:
        found = said.localize(text, t, product)
        if found is not None:
            return found
    return text
