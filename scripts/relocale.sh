#!/usr/bin/env bash
# Extract both gettext domains and merge them into every language's catalog (docs/guidance.md,
# "Translating the guidance"; docs/reports.md, "Translating the reports"). Run from the repository
# root after adding, changing or removing an English text; then translate the new entries.
# On an unchanged tree it changes no file: a template is replaced only when more than its
# POT-Creation-Date differs, and `update` keeps each catalog's own date. Last it writes the list of
# guidance texts whose translations follow later, auditor/locale/to-translate.txt (generated:
# auditor_dev/to_translate.py). It runs Babel as a module of the Python that has the project installed:
# PYTHON if given, else the active virtual environment's ($VIRTUAL_ENV), else the repository's .venv, else
# python3 on PATH; PYBABEL names a pybabel command to run instead of that Python's Babel.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n ${PYTHON:-} ]]; then
  PY=$PYTHON
elif [[ -n ${VIRTUAL_ENV:-} && -x $VIRTUAL_ENV/bin/python ]]; then
  PY=$VIRTUAL_ENV/bin/python
elif [[ -x .venv/bin/python ]]; then
  PY=.venv/bin/python
else
  PY=python3
fi
if ! "$PY" -c 'import auditor, babel' 2>/dev/null; then
  echo "relocale.sh: $PY cannot import babel and auditor: install the project into it" \
    "(pip install -e '.[test]') or name another with PYTHON=" >&2
  exit 2
fi
pybabel() {
  if [[ -n ${PYBABEL:-} ]]; then "$PYBABEL" "$@"; else "$PY" -m babel.messages.frontend "$@"; fi
}
LOCALE=auditor/locale
COMMON=(-F pyproject.toml --project=license-auditor --copyright-holder="license-auditor developers")

extract() {  # extract DOMAIN OPTIONS...: write $LOCALE/DOMAIN.pot when its texts changed
  local domain=$1 fresh
  shift
  fresh=$(mktemp)
  pybabel -q extract "${COMMON[@]}" "$@" -o "$fresh" auditor
  if cmp -s <(grep -v '^"POT-Creation-Date: ' "$fresh") <(grep -v '^"POT-Creation-Date: ' "$LOCALE/$domain.pot"); then
    rm "$fresh"
  else
    mv "$fresh" "$LOCALE/$domain.pot"
  fi
  pybabel -q update -i "$LOCALE/$domain.pot" -d "$LOCALE" -D "$domain" --ignore-obsolete --ignore-pot-creation-date
}

# guidance: the Text(...) / Steps(...) declarations (key = msgctxt), no source locations
extract guidance --no-default-keywords -k Text:1c,2 --no-location
# messages: the report labels (pgettext / npgettext in Python and the Jinja2 templates)
extract messages --add-location=file
# the new guidance texts no language translates yet, and those already waiting that one still lacks
"$PY" -m auditor_dev.to_translate
