"""exchange-steps.ps1: a leaver's mailbox that must become a shared mailbox before its license goes
gets Exchange Online PowerShell beside plan.md (auditor/plan/exchange.py, docs/plan-and-apply.md).
Tenant data is untrusted: a hostile UPN stays inside its single-quoted string, and one with a line
break gets no command at all."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from auditor.formats.plan_records import DECLARED, WAITS, MailboxStep
from auditor.plan.compile import compile_plan
from auditor.plan.exchange import EXCHANGE_FILE, quoted, script
from auditor.plan.write import plan_document, write_plan
from auditor.rules.hygiene.accounts import GuestLicensed

from .builders import DISABLED, G_E3, INACTIVE, finding, leave, report, seat, uid

SEATS = [seat("SPE_E3", 100, 50, price=33.75), seat("EXCHANGESTANDARD", 10, 5, price=4.0)]
LOST = {"data_lost": {"SPE_E3": ["Exchange Online (Plan 2)"]}}
G_EXO = "9a8b0000-0000-0000-0000-0000000000ee"
CREATED = "2026-11-22T07:12:00Z"


def kept(mailbox: str) -> dict[str, Any]:
    return {
        "data_kept": {
            "mailbox": mailbox,
            "accepted_by": "cio@contoso.example",
            "expires": "2027-06-30",
            "expired": False,
        }
    }


def e3_leaver(
    fid: str,
    user: str,
    rule: str = DISABLED,
    details: dict[str, Any] | None = None,
    kinds: list[str] | None = None,
    upn: str | None = None,
) -> dict[str, Any]:
    out = finding(
        fid,
        rule,
        user,
        [leave(user, G_E3, {"SPE_E3": -1}, ready=False, blocked="data_lost")],
        skus=("SPE_E3",),
        data_kinds={"SPE_E3": kinds or ["archive", "files", "mailbox"]},
        details={**LOST, **(details or {})},
    )
    if upn is not None:
        out["subject"]["upn"] = upn
    return out


def test_a_leavers_mailbox_that_nothing_keeps_gets_a_conversion_step(tmp_path: Path) -> None:
    doc = report(
        [
            e3_leaver("f1", uid(1)),
            # an inactive account may be someone's still: not converted unasked
            e3_leaver("f2", uid(2), INACTIVE),
            # the mailbox is kept by retention; only OneDrive is not declared: no conversion
            e3_leaver("f3", uid(3), details=kept("retention"), kinds=["files", "mailbox"]),
            # a guest's finding is no leaver's
            e3_leaver("f4", uid(4), rule=GuestLicensed.id),
        ],
        SEATS,
    )
    plan = compile_plan(doc)
    assert [(s.finding, s.why, s.upn) for s in plan.exchange] == [("f1", WAITS, f"{uid(1)[-4:]}@contoso.example")]
    assert plan_document(plan, created_at=CREATED)["exchange_steps"][0] == {
        "upn": f"{uid(1)[-4:]}@contoso.example",
        "subject": f"User {uid(1)[-4:]}",
        "finding": "f1",
        "rule": DISABLED,
        "why": WAITS,
    }
    written = write_plan(plan, tmp_path, created_at=CREATED)
    assert tmp_path / EXCHANGE_FILE in written
    raw = (tmp_path / EXCHANGE_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, as Windows PowerShell 5.1 needs"
    text = raw.decode("utf-8-sig")
    code = [line.strip() for line in text.splitlines() if line and not line.startswith("#")]
    assert code[0] == "Connect-ExchangeOnline"
    upn = f"'{uid(1)[-4:]}@contoso.example'"
    # the mailbox is read, checked to be the audited user's by object id, and converted by its own id
    get, check = (
        code.index(f"$mailbox = Get-Mailbox -Identity {upn} -ErrorAction Stop"),
        code.index(f"if ($mailbox.ExternalDirectoryObjectId -ne '{uid(1)}') {{"),
    )
    convert = code.index("Set-Mailbox -Identity $mailbox.Guid.ToString() -Type Shared -ErrorAction Stop")
    assert get < check < convert and code[check + 1].startswith("Write-Warning") and "skipped" in code[check + 1]
    assert code[get - 1] == "try {" and "} catch {" in code[convert:]
    # nothing else changes the tenant: the only cmdlets are the connection, reads, warnings and the conversion
    verbs = {m.group(1) for line in code for m in re.finditer(r"\b([A-Z][a-z]+-[A-Za-z]+)\b", line)}
    assert verbs == {"Connect-ExchangeOnline", "Get-Mailbox", "Write-Warning", "Set-Mailbox"}
    assert all("-Type Shared" in line for line in code if "Set-Mailbox" in line)
    # a comment per user: who, which finding, why
    assert f"# 1. User {uid(1)[-4:]} <{uid(1)[-4:]}@contoso.example>" in text and "#   finding f1 (" in text
    assert "no data_kept declaration keeps it" in text
    md = (tmp_path / "plan.md").read_text(encoding="utf-8").replace("\\", "")
    assert "Mailboxes to convert first" in md and "1 mailbox must become a shared mailbox first" in md
    assert EXCHANGE_FILE in md


def test_a_converted_to_shared_declaration_waits_and_gets_its_step() -> None:
    # the declaration says the mailbox becomes shared: until it is, the removal waits, and the
    # script converts it (for a leaver and for an inactive account the policy declares it for)
    doc = report(
        [
            e3_leaver("f1", uid(1), details=kept("converted_to_shared"), kinds=["mailbox"]),
            e3_leaver("f2", uid(2), INACTIVE, details=kept("converted_to_shared"), kinds=["mailbox"]),
        ],
        SEATS,
    )
    plan = compile_plan(doc)
    assert not plan.changes and [s.reason for s in plan.skipped] == ["convert_first", "convert_first"]
    assert [(s.finding, s.why) for s in plan.exchange] == [("f1", DECLARED), ("f2", DECLARED)]
    text = script(plan.exchange, tenant="Contoso", created_at=CREATED)
    assert "its license removal waits until it is: convert it, then audit and plan again" in text
    assert text.count("Set-Mailbox -Identity") == 2 and text.count("ExternalDirectoryObjectId -ne") == 2


def test_a_plan_without_conversions_writes_no_script_and_removes_an_earlier_one(tmp_path: Path) -> None:
    (tmp_path / EXCHANGE_FILE).write_text("Set-Mailbox -Identity 'stale' -Type Shared\n", encoding="utf-8")
    plan = compile_plan(report([e3_leaver("f3", uid(3), details=kept("retention"), kinds=["files", "mailbox"])], SEATS))
    assert plan.exchange == ()
    write_plan(plan, tmp_path, created_at=CREATED)
    assert not (tmp_path / EXCHANGE_FILE).exists()
    assert "exchange_steps" not in json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))


# --- a hostile UPN --------------------------------------------------------------------------------

QUOTES = "'\u2018\u2019\u201a\u201b"


def single_quoted(line: str) -> list[str]:
    """The single-quoted strings of a PowerShell line, read as PowerShell's tokenizer reads them:
    any of the five single quotes opens and closes one, two in a row inside are one literal quote.
    Fails when a string is left open (the line would run on)."""
    out, i = [], 0
    while i < len(line):
        if line[i] in QUOTES:
            i += 1
            text = ""
            while True:
                assert i < len(line), f"unterminated string in {line!r}"
                if line[i] in QUOTES:
                    if i + 1 < len(line) and line[i + 1] in QUOTES:
                        text += line[i]
                        i += 2
                        continue
                    i += 1
                    break
                text += line[i]
                i += 1
            out.append(text)
        elif line[i] == "#":
            break  # a comment to the end of the line
        else:
            i += 1
    return out


HOSTILE = "o'brien\u2019; Remove-Mailbox -Identity x -Confirm:$false; '@contoso.example"
BROKEN = "eve@contoso.example\nRemove-Mailbox -Identity ceo@contoso.example -Confirm:$false\n#"


def test_a_upn_outside_the_characters_entra_allows_gets_no_command() -> None:
    """A UPN Entra ID would not write (a ; or a space or a curly quote, a line break, an accented
    letter whose UTF-8 bytes Windows PowerShell 5.1 would read as a closing quote) gets only a
    comment; an apostrophe, which Entra allows, stays inside its doubled quotes."""
    accented = "j\u00d2e@contoso.example"
    apostrophe = "o'brien@contoso.example"
    steps = (
        MailboxStep(HOSTILE, "Mallory\r\nRemove-Mailbox ceo", "f1", DISABLED, WAITS, object_id=uid(1)),
        MailboxStep(BROKEN, "Eve", "f2", DISABLED, WAITS, object_id=uid(2)),
        MailboxStep(accented, "Jòe", "f3", DISABLED, WAITS, object_id=uid(3)),
        MailboxStep(apostrophe, "O'Brien", "f4", DISABLED, WAITS, object_id=uid(4)),
    )
    text = script(steps, tenant="Contoso\nRemove-Mailbox x", created_at=CREATED)
    lines = text.split("\n")
    code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    for line in code:
        outside = line
        for s in single_quoted(line):
            outside = outside.replace(quoted(s), "", 1) if quoted(s) in outside else outside
        assert "Remove-Mailbox" not in outside and "contoso.example" not in outside, line
    targets = [single_quoted(line) for line in code if "-Identity '" in line]
    assert targets == [[apostrophe]] and quoted(apostrophe) == "'o''brien@contoso.example'"
    assert not any(bad in line for line in code for bad in ("eve@", "j\u00d2e", "Remove-Mailbox"))
    refused = "#   allow in one (a control character, a space, an accented letter ...). Check the account in"
    assert lines.count(refused) == 3
    assert (
        "# 2. Eve <eve@contoso.example<U+000A>Remove-Mailbox -Identity ceo@contoso.example -Confirm:$false"
        "<U+000A>#>" in lines
    )
    assert quoted(HOSTILE) == "'o''brien\u2019\u2019; Remove-Mailbox -Identity x -Confirm:$false; ''@contoso.example'"


def test_synced_large_and_archived_mailboxes() -> None:
    """A synced user's mailbox is converted on both sides, on premises first (Set-RemoteMailbox in
    -Part OnPremises, after the Exchange build check, checked by ExchangeGuid), then in Exchange Online
    (Set-Mailbox in -Part ExchangeOnline); one over 50 GB or with an archive gets no command, only a note."""
    guid = "11111111-2222-3333-4444-555555555555"
    steps = (
        MailboxStep(
            "hy@contoso.example", "Hy", "f1", DISABLED, WAITS, object_id=uid(1), synced=True, exchange_guid=guid
        ),
        MailboxStep("big@contoso.example", "Big", "f2", DISABLED, WAITS, object_id=uid(2), size_bytes=61 * 1024**3),
        MailboxStep("arc@contoso.example", "Arc", "f3", DISABLED, WAITS, object_id=uid(3), archive=True),
        MailboxStep("ok@contoso.example", "Ok", "f4", DISABLED, WAITS, object_id=uid(4), size_bytes=49 * 1024**3),
    )
    text = script(steps, tenant="Contoso", created_at=CREATED)
    head, rest = text.split("if ($Part -eq 'OnPremises') {")
    premises, cloud = rest.split("Connect-ExchangeOnline")
    assert "param([Parameter(Mandatory = $true)][ValidateSet('OnPremises', 'ExchangeOnline')][string]$Part)" in head
    assert "Set-RemoteMailbox" not in cloud and "Set-Mailbox " not in premises
    assert premises.index("Get-ExchangeServer") < premises.index("Set-RemoteMailbox")
    assert "$version.Build -lt 1395" in premises and "$version.Build -lt 1531" in premises
    assert "Exchange 2013 CU21, Exchange 2016 CU10 or Exchange 2019" in premises and "/PrepareAD" in premises
    assert "Set-RemoteMailbox -Identity 'hy@contoso.example' -Type Shared -ErrorAction Stop" in premises
    assert f"if ($remote.ExchangeGuid.ToString() -ne '{guid}') {{" in premises
    assert premises.rstrip().endswith("return\n}")
    assert "#   Not converted: the mailbox holds 61.0 GB (mailbox usage report), more than the" in cloud
    assert "#   Not converted: the mailbox has an archive" in cloud
    named = [line for line in text.split("\n") if "-Identity '" in line and not line.lstrip().startswith("#")]
    assert [single_quoted(line)[0] for line in named] == [
        "hy@contoso.example",
        "hy@contoso.example",
        "hy@contoso.example",
        "ok@contoso.example",
    ]
    assert cloud.count("Set-Mailbox -Identity $mailbox.Guid.ToString() -Type Shared") == 2  # hy and ok
    assert "shared-mailboxes-unexpectedly-converted-to-user-mailboxes" in head
    assert "50 GB or with" in head  # the header says what is checked
