#!/usr/bin/env bash
# Extract both gettext domains and merge them into every language's catalog (docs/guidance.md,
# "Translating the guidance"; docs/reports.md, "Translating the reports"). Run from the repository
# root after adding, changing or removing an English text; then translate the new entries.
# On an unchanged tree it changes no file: a template is replaced only when more than its
# POT-Creation-Date differs, and `update` keeps each catalog's own date. Last it writes the list of
# guidance texts whose translations follow later, auditor/locale/to-translate.txt (generated:
# auditor_dev/to_translate.py). PYBABEL and PYTHON name the pybabel and the python to run (default:
# the ones in .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${PYBABEL:-.venv/bin/pybabel}
PY=${PYTHON:-.venv/bin/python}
LOCALE=auditor/locale
COMMON=(-F pyproject.toml --project=license-auditor --copyright-holder="license-auditor developers")

extract() {  # extract DOMAIN OPTIONS...: write $LOCALE/DOMAIN.pot when its texts changed
  local domain=$1 fresh
  shift
  fresh=$(mktemp)
  "$B" -q extract "${COMMON[@]}" "$@" -o "$fresh" auditor
  if cmp -s <(grep -v '^"POT-Creation-Date: ' "$fresh") <(grep -v '^"POT-Creation-Date: ' "$LOCALE/$domain.pot"); then
    rm "$fresh"
  else
    mv "$fresh" "$LOCALE/$domain.pot"
  fi
  "$B" -q update -i "$LOCALE/$domain.pot" -d "$LOCALE" -D "$domain" --ignore-obsolete --ignore-pot-creation-date
}

# guidance: the Text(...) / Steps(...) declarations (key = msgctxt), no source locations
extract guidance --no-default-keywords -k Text:1c,2 --no-location
# messages: the report labels (pgettext / npgettext in Python and the Jinja2 templates)
extract messages --add-location=file
# the new guidance texts no language translates yet, and those already waiting that one still lacks
"$PY" -m auditor_dev.to_translate
