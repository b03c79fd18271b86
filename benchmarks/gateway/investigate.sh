#!/usr/bin/env bash
# Where case 1's distance to the no-auth ceiling goes: the same valid token, wrk -t1 -c16, against the ceiling, the sample
# gateway, the PortkeyJwt scheme in a minimal app (the sample's policy; a policy requiring only an authenticated user;
# authentication alone), and a do-nothing scheme returning one prebuilt ticket under the same three shapes.
# Every server runs at once, each loaded in turn, the order rotated each round; medians of req/s and their ratio to the
# ceiling in the same round.
#   benchmarks/gateway/investigate.sh [--no-build] [--rounds N] [--duration SECONDS]    (defaults 5 rounds of 4 s)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=true rounds=5 duration=4
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=false ;;
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    *) echo "usage: $0 [--no-build] [--rounds N] [--duration SECONDS]" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if $build; then
  dotnet build samples/Gateway -c Release -v q -nologo
  dotnet build benchmarks/gateway/GatewayBench -c Release -v q -nologo
fi
gateway_dll=$root/samples/Gateway/bin/Release/net10.0/Gateway.dll
bench_dll=$root/benchmarks/gateway/GatewayBench/bin/Release/net10.0/GatewayBench.dll
work=$root/artifacts/benchmarks/gateway-investigate
rm -rf "$work" && mkdir -p "$work/tokens" "$work/runs" && chmod 700 "$work/tokens"
dotnet "$bench_dll" mint --out "$work/tokens" --distinct 1 --flood 1 >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
declare -A url
start() { # name, working directory, then the command (given --urls last)
  local name=$1 dir=$2; shift 2
  url[$name]="http://127.0.0.1:$(free_port)"
  env -C "$dir" -u ASPNETCORE_URLS -u ASPNETCORE_ENVIRONMENT "$@" --urls "${url[$name]}" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
start jwks "$work" dotnet "$bench_dll" jwks --file "$work/tokens/jwks.json"
start ceiling "$work" dotnet "$bench_dll" noauth
start sample "$(dirname "$gateway_dll")" dotnet "$gateway_dll" --BenchmarkEndpoint=true "--PortkeyJwt:JwksUrls:0=${url[jwks]}/.well-known/jwks.json"
names="ceiling sample"
for variant in policy authenticated handler; do
  start "portkey-$variant" "$work" dotnet "$bench_dll" portkey --variant "$variant" --jwks "$work/tokens/jwks.json"
  start "static-$variant" "$work" dotnet "$bench_dll" static --variant "$variant"
  names+=" portkey-$variant static-$variant"
done
printf 'Authorization: Bearer %s\n' "$(cat "$work/tokens/same.txt")" >"$work/tokens/same.header"
for name in $names; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --retry 60 --retry-connrefused --retry-delay 1 --max-time 10 -H "@$work/tokens/same.header" "${url[$name]}/benchmark")
  [ "$code" = 200 ] || { echo "$name answered $code" >&2; cat "$work/$name.log" >&2; exit 1; }
done

lua=$root/benchmarks/gateway/tokens.lua
load() { WRK_OUT=$1 wrk -t1 -c16 -d"$2s" --timeout 5s -s "$lua" "${url[$3]}/benchmark" -- "$work/tokens/same.txt" >/dev/null; }
for name in $names; do load "$work/runs/warmup.$name.json" 3 "$name"; done
read -r -a order <<<"$names"
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds" >&2
  for name in "${order[@]}"; do load "$work/runs/$round.$name.json" "$duration" "$name"; done
  order=("${order[@]:1}" "${order[0]}")
done

python3 - "$work/runs" "$rounds" $names <<'EOF'
import json, os, statistics, sys
runs_dir, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
r = {(n, i): json.load(open(os.path.join(runs_dir, f"{i}.{n}.json"))) for n in names for i in range(1, rounds + 1)}
for (n, i), v in r.items():
    if v["errors"]["status"] or v["errors"]["timeout"]:
        print(f"problem: {n} round {i}: {v['errors']}")
print("| server (same valid token) | req/s | p50 | p99 | ÷ ceiling (same round) | µs/request over the ceiling |")
print("|---|---|---|---|---|---|")
for n in names:
    rps = statistics.median(r[(n, i)]["rps"] for i in range(1, rounds + 1))
    ratio = statistics.median(r[(n, i)]["rps"] / r[("ceiling", i)]["rps"] for i in range(1, rounds + 1))
    extra = statistics.median(1e6 / r[(n, i)]["rps"] - 1e6 / r[("ceiling", i)]["rps"] for i in range(1, rounds + 1))
    p50 = statistics.median(r[(n, i)]["p50_us"] for i in range(1, rounds + 1)) / 1000
    p99 = statistics.median(r[(n, i)]["p99_us"] for i in range(1, rounds + 1)) / 1000
    print(f"| {n} | {rps / 1000:.1f}k | {p50:.2f} ms | {p99:.2f} ms | {ratio:.3f} | {extra:.1f} |")
EOF
