"""scripts/relocale.sh, the one documented way to extract and merge the catalogs (docs/guidance.md,
docs/reports.md, docs/adding-a-rule.md, CONTRIBUTING.md): on the committed tree it writes exactly
the committed .pot and .po files and the list of texts to translate, a new text adds only its own
entries and waits on that list, and neither a changed English nor an emptied translation does."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from auditor.data.model import Locale
from auditor_dev import to_translate as tt
from tests.guidance.test_translations_complete import sort_out

ROOT = Path(__file__).parents[1]
LOCALE = Path("auditor") / "locale"
PYBABEL = Path(sys.executable).parent / "pybabel"
TEMPLATES = ("guidance.pot", "messages.pot")


def _copy(tmp_path: Path) -> Path:
    """The files the script reads and writes, in a copy of the repository's layout."""
    copy = tmp_path / "repo"
    for name in ("auditor", "auditor_dev"):  # auditor_dev/to_translate.py writes the list
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _relocale(copy: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(copy / "scripts" / "relocale.sh")],
        check=env is None,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYBABEL": str(PYBABEL), "PYTHON": sys.executable} if env is None else env,
    )


def _without_a_venv() -> dict[str, str]:
    """The environment of a shell with no virtual environment active and none named."""
    return {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHON", "PYBABEL")}


def test_the_script_runs_the_python_on_path_with_no_venv_in_the_tree(tmp_path: Path) -> None:
    """Issue 98: the script ran .venv/bin/pybabel and failed in any other layout (a global install, a
    virtual environment elsewhere). With no .venv beside it and nothing named, it runs Babel with the
    python3 on PATH, and writes exactly the committed catalogs."""
    copy = _copy(tmp_path)
    assert not (copy / ".venv").exists()
    env = _without_a_venv()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = _relocale(copy, env)
    assert done.returncode == 0, done.stderr[-3000:]
    committed, written = _catalogs(ROOT), _catalogs(copy)
    assert [name for name in committed if written[name] != committed[name]] == []


def test_the_script_names_what_is_missing_without_babel(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    env = _without_a_venv()
    lone = tmp_path / "python3"  # this Python without site-packages (-S) nor the current folder (-I)
    lone.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S -I "$@"\n', encoding="utf-8")
    lone.chmod(0o755)
    env["PYTHON"] = str(lone)
    done = _relocale(copy, env)
    assert done.returncode == 2 and "cannot import babel and auditor" in done.stderr, done.stderr
    assert "PYTHON=" in done.stderr and _catalogs(copy) == _catalogs(ROOT)


def _catalogs(root: Path) -> dict[str, bytes]:
    """Every template and catalog under auditor/locale, by its path there."""
    found = sorted((root / LOCALE).glob("*.pot")) + sorted((root / LOCALE).glob("*/LC_MESSAGES/*.po"))
    return {str(path.relative_to(root / LOCALE)): path.read_bytes() for path in found}


def test_the_documented_commands_write_exactly_the_committed_catalogs(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _relocale(copy)
    committed, written = _catalogs(ROOT), _catalogs(copy)
    assert len(committed) == 2 + 2 * 4
    assert list(written) == list(committed)
    stale = [name for name in committed if written[name] != committed[name]]
    assert stale == [], f"run scripts/relocale.sh and commit what it writes: {stale}"
    assert (copy / tt.LIST).read_text("utf-8") == (ROOT / tt.LIST).read_text("utf-8"), "run scripts/relocale.sh"


def _added_lines(before: bytes, after: bytes) -> list[str]:
    """The lines `after` adds to `before`; AssertionError when it changes or removes any."""
    old, new = before.decode().splitlines(), after.decode().splitlines()
    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, old[i1:i2], new[j1:j2])
        added += new[j1:j2] if tag == "insert" else []
    return added


def test_a_new_rules_texts_touch_only_their_own_entries(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    rules = copy / "auditor" / "rules" / "hygiene" / "upkeep.py"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + (
            '\n\nTHROWAWAY = (Text("rule.throwaway-check.title", "Throwaway check"),\n'
            '             Text("rule.throwaway-check.message", "{user} fails the throwaway check."))\n'
        ),
        encoding="utf-8",
    )
    view = copy / "auditor" / "report" / "view" / "__init__.py"
    view.write_text(
        view.read_text(encoding="utf-8")
        + ('\n\ndef _throwaway_label(t: Any) -> str:\n    return t.pgettext("throwaway_label", "Throwaway label")\n'),
        encoding="utf-8",
    )
    _relocale(copy)
    committed, written = _catalogs(ROOT), _catalogs(copy)
    changed = {name for name in committed if written[name] != committed[name]}
    assert changed == {
        "guidance.pot",
        "messages.pot",
        *(
            f"{lang}/LC_MESSAGES/{domain}.po"
            for lang in ("nl", "da", "sv", "tr")
            for domain in ("guidance", "messages")
        ),
    }
    for name in sorted(changed):
        before = committed[name]
        if name in TEMPLATES:  # a changed template carries the time it was extracted
            before = b"\n".join(line for line in before.split(b"\n") if not line.startswith(b'"POT-Creation-Date: '))
            after = b"\n".join(
                line for line in written[name].split(b"\n") if not line.startswith(b'"POT-Creation-Date: ')
            )
        else:
            after = written[name]
        added = "\n".join(_added_lines(before, after))
        if name.startswith("guidance") or "/guidance" in name:
            assert 'msgctxt "rule.throwaway-check.title"' in added and 'msgid "Throwaway check"' in added, name
            assert 'msgctxt "rule.throwaway-check.message"' in added, name
        else:
            assert 'msgctxt "throwaway_label"' in added and 'msgid "Throwaway label"' in added, name
        assert added.count("msgctxt") == (2 if "guidance" in name else 1), (name, added)
    # the new texts wait for their translations, with no hand edit of the list
    assert tt.read_list((copy / tt.LIST).read_text("utf-8")) == [
        *tt.read_list((ROOT / tt.LIST).read_text("utf-8")),
        "rule.throwaway-check.title",
        "rule.throwaway-check.message",
    ]


def test_a_changed_english_or_an_emptied_translation_does_not_wait(tmp_path: Path) -> None:
    """The list is generated, and the check still bites: a text whose English changed under its
    translations, or whose translation a language lost, is not listed, and the check blocks on it."""
    copy = _copy(tmp_path)
    texts = copy / "auditor" / "rules" / "assignments" / "selection_texts.py"
    old = 'Text("rule.sku-forbidden.title", "Forbidden product")'
    assert old in texts.read_text("utf-8")
    texts.write_text(texts.read_text("utf-8").replace(old, old.replace("Forbidden", "Banned")), "utf-8")
    danish = copy / LOCALE / "da" / "LC_MESSAGES" / "guidance.po"
    text = danish.read_text("utf-8")
    emptied = 'msgctxt "rule.guest-licensed.title"\nmsgid "Guest holds licenses"\nmsgstr "'
    assert text.count(emptied) == 1
    start = text.index(emptied) + len(emptied)
    danish.write_text(text[:start] + text[text.index('"', start) :], "utf-8")
    _relocale(copy)
    assert tt.read_list((copy / tt.LIST).read_text("utf-8")) == tt.read_list((ROOT / tt.LIST).read_text("utf-8"))
    template = tt._read(copy / LOCALE / "guidance.pot")
    keys = [
        (m.context, m.id) for m in template if m.context in ("rule.sku-forbidden.title", "rule.guest-licensed.title")
    ]
    states = dict(zip(tt.LANGUAGES, tt.catalog_states(copy, keys), strict=True))
    assert {lang: found["rule.sku-forbidden.title"] for lang, found in states.items()} == dict.fromkeys(
        tt.LANGUAGES, tt.FUZZY
    )  # each language's own older translation, marked fuzzy
    assert [lang for lang, found in states.items() if found["rule.guest-licensed.title"]] == ["da"]
    problems = {
        locale: [f"{key}: {lack}" for key, lack in states[locale.value].items() if lack]
        for locale in (Locale.NL, Locale.DA, Locale.SV, Locale.TR)
    }
    blocking, waiting = sort_out(problems, [], {key for key, _ in keys})
    assert waiting == [] and "da: rule.guest-licensed.title: not translated (every plural form)" in blocking
    assert "nl: rule.sku-forbidden.title: fuzzy" in blocking
    # a hand edit that lists them cannot hide them: the lack of a changed text never waits, and the
    # list is not the generated one (the check's last line)
    blocking, waiting = sort_out(problems, ["rule.sku-forbidden.title"], {key for key, _ in keys})
    assert "nl: rule.sku-forbidden.title: fuzzy" in blocking
