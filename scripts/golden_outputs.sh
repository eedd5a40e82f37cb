#!/usr/bin/env bash
# Writes every output a refactoring of the findings must keep byte for byte into DIR:
# the demo audit (each report language), its plan, the redacted reports, the --tenants demo and the
# example policies. Compare two folders with `scripts/golden_outputs.sh --compare OLD NEW`, which
# leaves out what differs between two runs of the same code (run ids, timings, the clock).
#   scripts/golden_outputs.sh DIR          # from this worktree's .venv
set -euo pipefail
cd "$(dirname "$0")/.."
la=".venv/bin/license-auditor"
asof="2026-10-01T00:00:00Z"
export SOURCE_DATE_EPOCH=1790000000  # pins generated_at, created_at and a calendar's DTSTAMP

if [[ "${1:-}" == "--compare" ]]; then
    old=$2 new=$3
    # run.json and *.log hold durations and run ids, a few lines the time a run took; the rest
    # (the clock pinned by SOURCE_DATE_EPOCH) must match byte for byte; the policy's path differs
    # between two checkouts, and the fleet's roll-up stamps its own clock
    exec diff -r -x run.json -x '*.log' -I '^DTSTAMP:' -I '"seconds": ' -I 'auditor_dev/sample/' \
        -I '^ "generated_at": "[0-9T:.+-]*",$' "$old" "$new"
fi

out=${1:?usage: golden_outputs.sh DIR | --compare OLD NEW}
rm -rf "$out" && mkdir -p "$out"
run() { local dir=$1; shift; "$la" "$@" >"$out/$dir.log" 2>&1 || echo "exit $? $dir" >>"$out/exits.txt"; }

run demo audit --demo --as-of "$asof" --output-dir "$out/demo"
run plan plan --report-dir "$out/demo" --output-dir "$out/demo-plan"
for lang in nl da sv tr; do
    run "demo-$lang" audit --demo --as-of "$asof" --locale "$lang" --format json,html,md,csv --output-dir "$out/demo-$lang"
done
AUDITOR_REDACT_KEY=golden run demo-redact audit --demo --as-of "$asof" --redact --format html,md,csv --output-dir "$out/demo-redact"
run tenants audit --demo --tenants --as-of "$asof" --output-dir "$out/tenants"
for policy in examples/*.yaml; do
    name=$(basename "$policy" .yaml)
    run "example-$name" audit --demo --as-of "$asof" --policies "$policy" --output-dir "$out/example-$name"
    run "example-$name-plan" plan --report-dir "$out/example-$name" --output-dir "$out/example-$name-plan"
done
touch "$out/exits.txt"
