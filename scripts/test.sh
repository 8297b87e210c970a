#!/usr/bin/env bash
# The whole test suite: lint, types, generated-config freshness, unit and integration tests
# (the integration project starts the real local stack once). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .firedrill

status=0
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "lint (biome)"
npx biome check . || status=1

step "types (tsc)"
npx tsc -p tsconfig.json || status=1

step "import direction (scripts/check-imports.mjs)"
node scripts/check-imports.mjs || status=1

step "tests (vitest)"
report=.firedrill/vitest-report.json
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=1

node scripts/count-tests.mjs "$report" "$status"
