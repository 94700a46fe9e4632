#!/usr/bin/env bash
# A short run of every fuzz target, after the test suite in CI (the suite
# itself, go test -race -count=1 ./..., already replays each target's corpus
# under testdata/fuzz).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
# The toolchain the project builds with (go.mod), fetched by the go command
# through the module proxy: go1.26.8 has reachable vulnerabilities.
export GOTOOLCHAIN=go1.27.3

# Counts, not durations: Go 1.26's fuzzer can fail a target with "context
# deadline exceeded" when a duration ends mid-run (go.dev/issue/75804). New
# inputs are minimized for at most 100 runs (the default is a minute each).
fuzztime="${FUZZTIME:-20000x}"
for target in \
  "./backend FuzzITMAnswers" \
  "./backend FuzzSaaSAnswers" \
  "./backend FuzzOktaAnswers" \
  "./backend FuzzAtlassianAnswers" \
  "./backend FuzzEssentialsAnswers" \
  "./backend/atlassian FuzzDecodeSCIM" \
  "./backend/clean FuzzString" \
  "./backend/config FuzzParse" \
  "./backend/essentials FuzzDecodeEssentials" \
  "./backend/httpx FuzzVendorMessage" \
  "./backend/itm FuzzTicketDecode" \
  "./backend/okta FuzzNextLink" \
  "./backend/saas FuzzDecodeIncident" \
  "./server FuzzSplitWords" \
  "./ui FuzzCompileFilter" \
  "./ui FuzzPicker" \
  "./views FuzzQuery"; do
  set -- $target
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" -fuzzminimizetime 100x "$1"
done
