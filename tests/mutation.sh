#!/usr/bin/env bash
# Mutation testing of the validation core with Stryker.NET 5.1.0 (tool manifest: tests/.config/dotnet-tools.json).
# Mutates src/PortkeyJwt/PortkeyJwtValidator*.cs, Keys/JwksParser.cs and Keys/VerificationKey.cs and runs
# tests/PortkeyJwt.Tests against each mutant; settings in tests/stryker-config.json. Not run in CI: a full run takes
# about 35 minutes on 2 cores, so run it in the background on a quiet machine.
#
#   tests/mutation.sh                        # the full scope, one test run at a time
#   tests/mutation.sh --concurrency 2        # faster when nothing else builds
#   tests/mutation.sh --since:main           # only files changed since main (for iterating; not a score to report)
#   tests/mutation.sh -m '**/JwksParser.cs'  # one file
#
# The soak test (Hardening/SoakTests, ~13 s of real-time load) is left out of mutant runs (test-case-filter in the
# config): it covers the whole validation path, so every surviving mutant would wait for it. Leaving tests out can only
# turn a kill into a survivor, so the score is a lower bound of the full suite's.
#
# Reports (html, json, log) go to tests/StrykerOutput/<UTC time>/ (git-ignored); the last lines printed are the score.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null

stamp=$(date -u +%Y%m%dT%H%M%SZ)
output="$PWD/StrykerOutput/$stamp"
mkdir -p "$output"
started=$(date +%s)
status=0
(cd PortkeyJwt.Tests && dotnet tool run dotnet-stryker -- --config-file ../stryker-config.json --output "$output" --skip-version-check "$@") \
  2>&1 | tee "$output/stryker.log" || status=$?
elapsed=$(( $(date +%s) - started ))

report=$(find "$output" -name mutation-report.json -print -quit)
echo
echo "Stryker exit code: $status; duration: $((elapsed / 60)) min $((elapsed % 60)) s; reports: $output"
if [ -n "$report" ] && command -v python3 >/dev/null 2>&1; then
  python3 - "$report" <<'PY'
import collections, json, sys
report = json.load(open(sys.argv[1]))
counts = collections.Counter(m["status"] for f in report["files"].values() for m in f["mutants"])
killed, timeout, survived, nocov = counts["Killed"], counts["Timeout"], counts["Survived"], counts["NoCoverage"]
valid = killed + timeout + survived + nocov
print("mutants: %d (%s)" % (sum(counts.values()), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
if valid:
    print("score: %.2f %% (killed %d + timeout %d of %d valid)" % (100.0 * (killed + timeout) / valid, killed, timeout, valid))
PY
else
  grep -a "final mutation score" "$output/stryker.log" || true
fi
exit "$status"
