"""The national clouds by name, as the report's tenant row shows them ("Contoso (…, wereldwijd)").

report.json and plan.json keep the value (`worldwide`, `usgov`, …); a person reads the name in
the report's language. A value this module does not know is shown as it is.
"""

from __future__ import annotations

from auditor.i18n.labels import Translations


def cloud_name(t: Translations, value: str) -> str:
    names = {
        "worldwide": t.pgettext("cloud_worldwide", "worldwide"),
        "usgov": t.pgettext("cloud_usgov", "US Government (GCC High)"),
        "usgov-dod": t.pgettext("cloud_usgov_dod", "US Government (DoD)"),
        "china": t.pgettext("cloud_china", "operated by 21Vianet (China)"),
        "germany": t.pgettext("cloud_germany", "Germany (Microsoft Cloud Deutschland)"),
    }
    return names.get(value, value)
