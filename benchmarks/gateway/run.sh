#!/usr/bin/env bash
# Requests per second as a gateway feels it: the sample gateway (PortkeyJwt scheme and scope policy) against the same job
# done with AddJwtBearer, a no-authentication ceiling and an ASP.NET Core floor (a do-nothing scheme under the same
# policy shape), all on loopback, loaded by wrk (-t1 -c16), one server after the other in alternating rounds; the table
# reports medians. See README.md here for what each case measures.
#
#   benchmarks/gateway/run.sh            full run: 5 rounds of 5 s runs (~6 minutes with builds)
#   benchmarks/gateway/run.sh --short    CI run: 5 rounds of 2 s runs (~3 minutes), same gates
#   options: --no-build (use the Release builds already there), --rounds N, --duration SECONDS
#
# Gates (exit status 1 when a gated ratio misses its target), each a ratio of medians over the rounds of paired runs:
#   GATES                     which are checked; default "case1-jwtbearer flood-badsig flood-unknownkid".
#                             "case2" (req/s) and "case2-p99" (p99) for 20,000 distinct tokens; CI's short run gates
#                             case2 alone: the p99 of 2 s runs moved 0.87-1.10x JwtBearer's across four short runs. "case1-ceiling" is not on
#                             by default: even a scheme doing nothing, under the same policy shape, reaches only ~0.80
#                             of the ceiling here (the "floor" server; see README.md), so 0.90 cannot hold today.
#   TARGET_CASE1_JWTBEARER    same token: PortkeyJwt req/s ÷ JwtBearer's, at least; default 2.0
#   TARGET_CASE1_CEILING      same token: PortkeyJwt req/s ÷ the no-auth ceiling's, at least; default 0.90
#   TARGET_CASE2_JWTBEARER    20,000 distinct tokens: PortkeyJwt req/s ÷ JwtBearer's, at least; default 1.1
#   TARGET_CASE2_P99          20,000 distinct tokens: PortkeyJwt p99 ÷ JwtBearer's, at most; default 1.0
#   TARGET_CASE1_FLOOR        same token: PortkeyJwt req/s ÷ the ASP.NET Core floor's (a scheme that returns one
#                             prebuilt ticket, under the same policy shape), at least; default 0.90 (gate "case1-floor")
#   TARGET_FLOOD_P99          valid traffic's p99 during a flood ÷ its p99 beside a control "flood" of the same valid
#                             token at the same rate (the same round), at most; default 1.5
#   GATE_MARGIN               the share by which each "at least" target is lowered and each "at most" one raised, for
#                             noise; default 0, and 0.1 with --short (5 rounds of 2 s: per-round case-1 ratios spread
#                             ±15 % on a shared 2-core VM, and a 3-round median once read 1.88 against JwtBearer where
#                             full runs the same hour read 1.98-2.08)
# Other settings: CONNECTIONS (16), FLOOD_CONNECTIONS (4, a second wrk beside the valid one) and FLOOD_DELAY_MS (2: each
# flood connection waits that long after each answer, so both servers face about the same flood rate, ~1.5k req/s;
# 0 floods as fast as the server answers, and a faster rejection then draws more flood), DISTINCT_TOKENS (20000,
# twice PortkeyJwt's default ValidationCacheSize of 10,000), OUT (results directory, default artifacts/benchmarks/gateway).
# Loopback only; every load run is bounded by its duration. Tokens go to files under OUT and are never printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

short=false build=true rounds="" duration=""
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=true ;;
    --no-build) build=false ;;
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    *) echo "usage: $0 [--short] [--no-build] [--rounds N] [--duration SECONDS]" >&2; exit 2 ;;
  esac
  shift
done
if $short; then rounds=${rounds:-5} duration=${duration:-2} warmup=2; else rounds=${rounds:-5} duration=${duration:-5} warmup=4; fi

GATES=${GATES:-"case1-jwtbearer flood-badsig flood-unknownkid"}
TARGET_CASE1_JWTBEARER=${TARGET_CASE1_JWTBEARER:-2.0}
TARGET_CASE1_CEILING=${TARGET_CASE1_CEILING:-0.90}
TARGET_CASE2_JWTBEARER=${TARGET_CASE2_JWTBEARER:-1.1}
TARGET_CASE2_P99=${TARGET_CASE2_P99:-1.0}
TARGET_CASE1_FLOOR=${TARGET_CASE1_FLOOR:-0.90}
TARGET_FLOOD_P99=${TARGET_FLOOD_P99:-1.5}
if $short; then GATE_MARGIN=${GATE_MARGIN:-0.1}; else GATE_MARGIN=${GATE_MARGIN:-0}; fi
CONNECTIONS=${CONNECTIONS:-16}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-4}
FLOOD_DELAY_MS=${FLOOD_DELAY_MS:-2}
DISTINCT_TOKENS=${DISTINCT_TOKENS:-20000}
OUT=${OUT:-artifacts/benchmarks/gateway}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

bench=benchmarks/gateway/GatewayBench
if $build; then
  dotnet build samples/Gateway -c Release -v q -nologo
  dotnet build "$bench" -c Release -v q -nologo
fi
gateway_dll=$root/samples/Gateway/bin/Release/net10.0/Gateway.dll
bench_dll=$root/$bench/bin/Release/net10.0/GatewayBench.dll
for dll in "$gateway_dll" "$bench_dll"; do
  [ -f "$dll" ] || { echo "missing $dll: build Release first (or drop --no-build)" >&2; exit 1; }
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$OUT/work
rm -rf "$work" && mkdir -p "$work/tokens" "$work/runs" && chmod 700 "$work/tokens"
dotnet "$bench_dll" mint --out "$work/tokens" --distinct "$DISTINCT_TOKENS" --flood 2000 >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Each server in its own process, Production environment, on 127.0.0.1; its console output to a log file.
start() { # name, working directory (the content root), then the command
  local name=$1 dir=$2; shift 2
  env -C "$dir" -u ASPNETCORE_URLS -u DOTNET_URLS -u ASPNETCORE_ENVIRONMENT -u DOTNET_ENVIRONMENT "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
jwks_port=$(free_port); start jwks "$work" dotnet "$bench_dll" jwks --urls "http://127.0.0.1:$jwks_port" --file "$work/tokens/jwks.json"
declare -A url
url[portkey]="http://127.0.0.1:$(free_port)"
url[jwtbearer]="http://127.0.0.1:$(free_port)"
url[ceiling]="http://127.0.0.1:$(free_port)"
url[floor]="http://127.0.0.1:$(free_port)"
# The sample as shipped (its appsettings.json next to its assembly), with the benchmark endpoint on and its JWKS URL
# pointed at the loopback JWKS server.
start portkey "$(dirname "$gateway_dll")" dotnet "$gateway_dll" --urls "${url[portkey]}" --BenchmarkEndpoint=true \
  "--PortkeyJwt:JwksUrls:0=http://127.0.0.1:$jwks_port/.well-known/jwks.json"
start jwtbearer "$work" dotnet "$bench_dll" jwtbearer --urls "${url[jwtbearer]}" --jwks "$work/tokens/jwks.json"
start ceiling "$work" dotnet "$bench_dll" noauth --urls "${url[ceiling]}"
start floor "$work" dotnet "$bench_dll" static --variant policy --urls "${url[floor]}"

# Headers for curl from files (-H @file), so no token is on a command line.
header() { printf 'Authorization: Bearer %s\n' "$(head -n1 "$work/tokens/$1.txt")" >"$work/tokens/$1.header"; }
for t in same badsig unknownkid; do header "$t"; done
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
expect() { # what, expected status, curl arguments
  local what=$1 want=$2; shift 2
  local got
  got=$(status "$@")
  [ "$got" = "$want" ] || { echo "sanity check failed: $what answered $got, expected $want" >&2; exit 1; }
}
for name in portkey jwtbearer ceiling floor; do
  curl -s -o /dev/null --retry 60 --retry-connrefused --retry-delay 1 --max-time 10 "${url[$name]}/benchmark" \
    || { echo "$name did not start:" >&2; cat "$work/$name.log" >&2; exit 1; }
done
for name in portkey jwtbearer; do
  expect "$name, a valid token" 200 -H "@$work/tokens/same.header" "${url[$name]}/benchmark"
  expect "$name, no token" 401 "${url[$name]}/benchmark"
  expect "$name, a bad signature" 401 -H "@$work/tokens/badsig.header" "${url[$name]}/benchmark"
  expect "$name, an unknown kid" 401 -H "@$work/tokens/unknownkid.header" "${url[$name]}/benchmark"
done
expect "ceiling" 200 "${url[ceiling]}/benchmark"
expect "floor" 200 "${url[floor]}/benchmark"

lua=$root/benchmarks/gateway/tokens.lua
load() { # result file, connections, seconds, server, token file (WRK_DELAY_MS from the caller's environment)
  WRK_OUT=$1 wrk -t1 -c"$2" -d"$3s" --timeout 5s -s "$lua" "${url[$4]}/benchmark" -- "$work/tokens/$5.txt" >/dev/null
}
run() { # round, case, server, token file
  load "$work/runs/$1.$2.$3.json" "$CONNECTIONS" "$duration" "$3" "$4"
}
flood() { # round, case, server, flood token file: valid traffic (same token) and the flood at once
  WRK_DELAY_MS=$FLOOD_DELAY_MS load "$work/runs/$1.$2.$3.flood.json" "$FLOOD_CONNECTIONS" "$duration" "$3" "$4" &
  local flood_pid=$!
  load "$work/runs/$1.$2.$3.json" "$CONNECTIONS" "$duration" "$3" same
  wait "$flood_pid"
}

echo "warming up ($warmup s a server)" >&2
for name in portkey jwtbearer ceiling floor; do
  load "$work/runs/warmup.$name.json" "$CONNECTIONS" "$warmup" "$name" same
  load "$work/runs/warmup.$name.distinct.json" "$CONNECTIONS" "$warmup" "$name" distinct
done

for round in $(seq 1 "$rounds"); do
  # Alternate which library goes first in each case, round by round.
  if [ $((round % 2)) -eq 1 ]; then order="portkey jwtbearer"; else order="jwtbearer portkey"; fi
  echo "round $round/$rounds" >&2
  run "$round" same ceiling same
  run "$round" same floor same
  for name in $order; do run "$round" same "$name" same; done
  # Cycled tokens after the same token: each server first gets 2 s of them, unmeasured, so both are measured settled
  # (without it, PortkeyJwt's first seconds after the same-token case carried a p99 of 2.0-2.1 ms against 1.2-1.5 ms settled).
  for name in $order; do
    load "$work/runs/$round.distinct.$name.settle.json" "$CONNECTIONS" 2 "$name" distinct
    run "$round" distinct "$name" distinct
  done
  for name in $order; do flood "$round" control "$name" same; done
  for name in $order; do flood "$round" badsig "$name" badsig; done
  for name in $order; do flood "$round" unknownkid "$name" unknownkid; done
done

stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
machine="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(uname -sr)"
export GATES TARGET_CASE1_JWTBEARER TARGET_CASE1_CEILING TARGET_CASE1_FLOOR TARGET_CASE2_JWTBEARER TARGET_CASE2_P99 TARGET_FLOOD_P99 GATE_MARGIN
python3 "$root/benchmarks/gateway/report.py" "$work/runs" "$OUT" "$rounds" "$duration" "$CONNECTIONS" "$FLOOD_CONNECTIONS" \
  "$FLOOD_DELAY_MS" "$DISTINCT_TOKENS" "$stamp" "$commit" "$machine" "$($short && echo short || echo full)"
