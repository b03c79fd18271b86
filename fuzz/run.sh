#!/usr/bin/env bash
# Fuzzes one PortkeyJwt target with AFL++ through SharpFuzz.
#
#   fuzz/run.sh TARGET DURATION      TARGET: tokens | signed | jwks;  DURATION: 90s, 20m, 1h or plain seconds
#
# Installs what it needs (the afl++ Debian package, the SharpFuzz.CommandLine local tool from fuzz/.config), publishes
# the harness to fuzz/out/TARGET/bin, instruments PortkeyJwt.dll there, runs afl-fuzz for DURATION, then copies any
# crashes and hangs to fuzz/out/TARGET/crashes and fuzz/out/TARGET/hangs, replays them through the harness to print
# why each failed, and writes fuzz/out/TARGET/summary.txt. fuzz/out/ is git-ignored. A second run of the same target
# resumes its queue (AFL_AUTORESUME); delete fuzz/out/TARGET for a fresh campaign.
set -euo pipefail

usage() {
  echo "usage: $0 tokens|signed|jwks DURATION (e.g. 20m, 90s, 1h)" >&2
  exit 2
}

[ $# -eq 2 ] || usage
target=$1
case "$target" in tokens | signed | jwks) ;; *) usage ;; esac
case "$2" in
  *h) seconds=$((${2%h} * 3600)) ;;
  *m) seconds=$((${2%m} * 60)) ;;
  *s) seconds=${2%s} ;;
  *) seconds=$2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
out="$fuzz_dir/out/$target"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# 1. AFL++ from Debian.
if ! command -v afl-fuzz >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  $sudo apt-get install -y afl++
fi

# 2. The SharpFuzz instrumenter, pinned in fuzz/.config/dotnet-tools.json.
cd "$fuzz_dir"
dotnet tool restore

# 3. Publish the harness into its own directory (never the shared bin/obj folders) and instrument the library.
#    Only PortkeyJwt.dll is instrumented: coverage of its dependencies would only dilute the map.
rm -rf "$out/bin"
dotnet publish PortkeyJwt.Fuzz/PortkeyJwt.Fuzz.csproj -c Release --artifacts-path "$fuzz_dir/out/artifacts" -o "$out/bin" -p:UseAppHost=false
dotnet tool run sharpfuzz "$out/bin/PortkeyJwt.dll"

# 4. Fuzz. The harness runs SharpFuzz's out-of-process fork server, so afl-fuzz starts `dotnet`, which is not
#    instrumented itself (AFL_SKIP_BIN_CHECK). -t 5000: afl-fuzz's own timeout for a hung child, well above the
#    harness's 1 s in-process limit per call and a child restart.
mkdir -p "$out"
echo "fuzzing $target for ${seconds}s; afl-fuzz output in $out/afl (status lines in $out/afl.log)"
status=0
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_AUTORESUME=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SHUFFLE_QUEUE=0 \
  afl-fuzz -i "corpus/$target" -o "$out/afl" -x "dict/$target.dict" -t 5000 -m none -V "$seconds" \
  -- "$(command -v dotnet)" "$out/bin/PortkeyJwt.Fuzz.dll" "$target" >"$out/afl.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  tail -n 40 "$out/afl.log" >&2
  echo "afl-fuzz exited with status $status" >&2
  exit "$status"
fi

# 5. Findings and numbers.
stats="$out/afl/default/fuzzer_stats"
rm -rf "$out/crashes" "$out/hangs"
mkdir -p "$out/crashes" "$out/hangs"
find "$out/afl/default/crashes" -maxdepth 1 -name 'id:*' -exec cp {} "$out/crashes/" \; 2>/dev/null || true
find "$out/afl/default/hangs" -maxdepth 1 -name 'id:*' -exec cp {} "$out/hangs/" \; 2>/dev/null || true
crashes=$(find "$out/crashes" -type f | wc -l)
hangs=$(find "$out/hangs" -type f | wc -l)

{
  echo "target: $target"
  echo "engine: $(afl-fuzz -h 2>&1 | head -n1 | sed 's/\x1b\[[0-9;]*m//g'), SharpFuzz $(dotnet tool list | awk '/sharpfuzz/ {print $2}'), $(dotnet --version) SDK"
  grep -E '^(start_time|last_update|run_time|execs_done|execs_per_sec|corpus_count|corpus_found|bitmap_cvg|edges_found|total_edges|stability|saved_crashes|saved_hangs|unique_crashes|unique_hangs) ' "$stats" || true
  echo "average execs_per_sec: $(awk '/^execs_done/ {e=$3} /^run_time/ {t=$3} END {if (t > 0) printf "%.0f", e / t}' "$stats")"
  echo "crashes copied: $crashes, hangs copied: $hangs"
} | tee "$out/summary.txt"

if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
  echo "replaying findings:"
  dotnet "$out/bin/PortkeyJwt.Fuzz.dll" replay "$target" "$out"/crashes/* "$out"/hangs/* 2>&1 | tee "$out/replay.txt" || true
fi
