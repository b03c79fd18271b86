"""Summarises run.sh's wrk results: medians over the rounds, the table, results.json/results.csv, and the gates.

Run files are ROUND.CASE.SERVER.json (valid traffic), ROUND.CASE.SERVER.flood.json (the flood beside it) and
ROUND.CASE.SERVER.settle.json (traffic of the case run just before it, to settle the server; not in the medians), each one
line written by tokens.lua. Ratios are taken within a round (paired runs, seconds apart) and their median is gated.
Exit status 1 when a gated ratio misses its target, or when a run saw an unexpected status (a valid request refused, a
flood request served).
"""
import csv
import glob
import json
import os
import statistics
import sys

runs_dir, out_dir, rounds, duration, connections, flood_connections, flood_delay, distinct, stamp, commit, machine, mode = sys.argv[1:]
rounds = int(rounds)
runs = {}
for path in glob.glob(os.path.join(runs_dir, "*.json")):
    parts = os.path.basename(path)[:-len(".json")].split(".")
    if parts[0] == "warmup":
        continue
    with open(path) as f:
        runs[tuple(parts)] = json.load(f)

problems = []
for key, r in sorted(runs.items()):
    errors = r["errors"]
    flood = key[-1] == "flood" and key[1] != "control"  # the control's second flow is the valid token
    if errors["connect"] or errors["timeout"]:
        problems.append(f"{'.'.join(key)}: {errors['connect']} connect errors, {errors['timeout']} timeouts")
    if flood and errors["status"] != r["requests"]:
        problems.append(f"{'.'.join(key)}: {r['requests'] - errors['status']} flood requests were served (2xx/3xx)")
    if not flood and errors["status"]:
        problems.append(f"{'.'.join(key)}: {errors['status']} valid requests were refused (non-2xx/3xx)")


def get(round_, case, server, flood=False):
    return runs.get((str(round_), case, server) + (("flood",) if flood else ()))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def med(case, server, field, flood=False):
    return median([get(n, case, server, flood)[field] for n in range(1, rounds + 1) if get(n, case, server, flood)])


def ratio(num, den):
    """Median over the rounds of num(round) / den(round)."""
    values = []
    for n in range(1, rounds + 1):
        a, b = num(n), den(n)
        if a is not None and b:
            values.append(a / b)
    return median(values)


def field(case, server, name, flood=False):
    return lambda n: (get(n, case, server, flood) or {}).get(name)


servers = ["portkey", "jwtbearer"]
summary = {}
for case in ["same", "distinct", "control", "badsig", "unknownkid"]:
    for server in servers:
        summary[f"{case}.{server}"] = {f: med(case, server, f) for f in ["rps", "p50_us", "p99_us"]}
        if case in ("control", "badsig", "unknownkid"):
            summary[f"{case}.{server}"]["flood_rps"] = med(case, server, "rps", flood=True)
        if case in ("badsig", "unknownkid"):
            summary[f"{case}.{server}"]["p99_vs_control"] = ratio(field(case, server, "p99_us"), field("control", server, "p99_us"))
for server in ["ceiling", "floor"]:
    summary[f"same.{server}"] = {f: med("same", server, f) for f in ["rps", "p50_us", "p99_us"]}

ratios = {
    "case1_rps_vs_jwtbearer": ratio(field("same", "portkey", "rps"), field("same", "jwtbearer", "rps")),
    "case1_rps_vs_ceiling": ratio(field("same", "portkey", "rps"), field("same", "ceiling", "rps")),
    "jwtbearer_case1_rps_vs_ceiling": ratio(field("same", "jwtbearer", "rps"), field("same", "ceiling", "rps")),
    "case1_rps_vs_floor": ratio(field("same", "portkey", "rps"), field("same", "floor", "rps")),
    "floor_rps_vs_ceiling": ratio(field("same", "floor", "rps"), field("same", "ceiling", "rps")),
    "case2_rps_vs_jwtbearer": ratio(field("distinct", "portkey", "rps"), field("distinct", "jwtbearer", "rps")),
    "case2_p99_vs_jwtbearer": ratio(field("distinct", "portkey", "p99_us"), field("distinct", "jwtbearer", "p99_us")),
    "case3_p99_vs_control": summary["badsig.portkey"]["p99_vs_control"],
    "case4_p99_vs_control": summary["unknownkid.portkey"]["p99_vs_control"],
}

gates_on = os.environ.get("GATES", "").split()
margin = float(os.environ.get("GATE_MARGIN", "0"))
env = lambda name: float(os.environ[name])
gates = [
    # name, ratio, comparison, target
    ("case1-jwtbearer", "case1_rps_vs_jwtbearer", ">=", env("TARGET_CASE1_JWTBEARER")),
    ("case1-ceiling", "case1_rps_vs_ceiling", ">=", env("TARGET_CASE1_CEILING")),
    ("case1-floor", "case1_rps_vs_floor", ">=", env("TARGET_CASE1_FLOOR")),
    ("case2", "case2_rps_vs_jwtbearer", ">=", env("TARGET_CASE2_JWTBEARER")),
    ("case2-p99", "case2_p99_vs_jwtbearer", "<=", env("TARGET_CASE2_P99")),
    ("flood-badsig", "case3_p99_vs_control", "<=", env("TARGET_FLOOD_P99")),
    ("flood-unknownkid", "case4_p99_vs_control", "<=", env("TARGET_FLOOD_P99")),
]
verdicts = []
for name, key, op, target in gates:
    value = ratios[key]
    # The margin is a share of the target: a ratio's noise grows with it (per-round case-1 ratios near 2 spread ±15 %).
    limit = target * (1 - margin) if op == ">=" else target * (1 + margin)
    held = value is not None and (value >= limit if op == ">=" else value <= limit)
    gated = name in gates_on
    verdicts.append({"gate": name, "ratio": key, "value": value, "op": op, "target": target, "limit": limit,
                     "held": held, "gated": gated})

run = {"date": stamp, "commit": commit, "machine": machine, "mode": mode, "rounds": rounds, "duration_s": float(duration),
       "wrk": f"-t1 -c{connections}", "flood_wrk": f"-t1 -c{flood_connections}", "flood_delay_ms": float(flood_delay), "distinct_tokens": int(distinct)}
results = {"run": run, "summary": summary, "ratios": ratios, "gates": verdicts, "problems": problems,
           "runs": {".".join(k): v for k, v in sorted(runs.items())}}
with open(os.path.join(out_dir, "results.json"), "w") as f:
    json.dump(results, f, indent=2)
with open(os.path.join(out_dir, "results.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["round", "case", "server", "traffic", "rps", "p50_us", "p90_us", "p99_us", "max_us", "requests", "non_2xx"])
    for key, r in sorted(runs.items()):
        traffic = key[3] if len(key) > 3 else "valid"  # "flood" beside valid traffic, or "settle" before it (unmeasured)
        w.writerow([key[0], key[1], key[2], traffic, r["rps"], r["p50_us"], r["p90_us"], r["p99_us"], r["max_us"],
                    r["requests"], r["errors"]["status"]])


def k(rps):
    return "–" if rps is None else f"{rps / 1000:.1f}k"


def ms(us):
    return "–" if us is None else f"{us / 1000:.2f} ms"


def x(v):
    return "–" if v is None else f"{v:.2f}×"


s = summary
ceiling = s["same.ceiling"]
lines = [
    f"Gateway load benchmark ({mode}): wrk -t1 -c{connections}, {duration} s runs, {rounds} rounds alternating, medians; "
    f"{stamp}, {commit}, {machine}",
    "",
    "| case | PortkeyJwt (sample gateway) | JwtBearer | ratio | no-auth ceiling |",
    "|---|---|---|---|---|",
    f"| 1. same valid token | {k(s['same.portkey']['rps'])} req/s, p50 {ms(s['same.portkey']['p50_us'])}, p99 {ms(s['same.portkey']['p99_us'])} "
    f"| {k(s['same.jwtbearer']['rps'])} req/s, p50 {ms(s['same.jwtbearer']['p50_us'])}, p99 {ms(s['same.jwtbearer']['p99_us'])} "
    f"| {x(ratios['case1_rps_vs_jwtbearer'])} | {k(ceiling['rps'])} req/s, p99 {ms(ceiling['p99_us'])}; PortkeyJwt {x(ratios['case1_rps_vs_ceiling'])}, JwtBearer {x(ratios['jwtbearer_case1_rps_vs_ceiling'])} |",
    f"| 1. same valid token, vs the ASP.NET Core floor (a do-nothing scheme, same policy shape) | {x(ratios['case1_rps_vs_floor'])} of the floor "
    f"| | | floor {k(s['same.floor']['rps'])} req/s, p99 {ms(s['same.floor']['p99_us'])} = {x(ratios['floor_rps_vs_ceiling'])} of the ceiling |",
    f"| 2. {int(distinct):,} distinct valid tokens cycled | {k(s['distinct.portkey']['rps'])} req/s, p50 {ms(s['distinct.portkey']['p50_us'])}, p99 {ms(s['distinct.portkey']['p99_us'])} "
    f"| {k(s['distinct.jwtbearer']['rps'])} req/s, p50 {ms(s['distinct.jwtbearer']['p50_us'])}, p99 {ms(s['distinct.jwtbearer']['p99_us'])} "
    f"| {x(ratios['case2_rps_vs_jwtbearer'])} (p99 {x(ratios['case2_p99_vs_jwtbearer'])}) | |",
]
p, j = s["control.portkey"], s["control.jwtbearer"]
lines.append(
    f"| control: the same valid token as a second flow (-c{flood_connections}, {flood_delay} ms apart) beside valid traffic "
    f"| valid {k(p['rps'])} req/s, p99 {ms(p['p99_us'])}; second flow {k(p['flood_rps'])} req/s "
    f"| valid {k(j['rps'])} req/s, p99 {ms(j['p99_us'])}; second flow {k(j['flood_rps'])} req/s | | |")
for case, title in [("badsig", "3. bad-signature flood"), ("unknownkid", "4. unknown-kid flood")]:
    p, j = s[f"{case}.portkey"], s[f"{case}.jwtbearer"]
    lines.append(
        f"| {title} (-c{flood_connections}, {flood_delay} ms apart) beside valid traffic | valid {k(p['rps'])} req/s, p99 {ms(p['p99_us'])} = {x(p['p99_vs_control'])} the control's; flood {k(p['flood_rps'])} req/s "
        f"| valid {k(j['rps'])} req/s, p99 {ms(j['p99_us'])} = {x(j['p99_vs_control'])} the control's; flood {k(j['flood_rps'])} req/s | | |")
lines.append("")
lines.append("| gate | ratio | target | result |")
lines.append("|---|---|---|---|")
failed = False
for v in verdicts:
    on_target = v["value"] is not None and (v["value"] >= v["target"] if v["op"] == ">=" else v["value"] <= v["target"])
    result = ("held" if on_target else "within the margin" if v["held"] else "MISSED") + ("" if v["gated"] else " (not gated)")
    failed |= v["gated"] and not v["held"]
    target = f"{v['op']} {v['target']:.2f}" + (f" (limit {v['limit']:.2f})" if margin else "")
    value = "–" if v["value"] is None else f"{v['value']:.3f}"
    lines.append(f"| {v['gate']} | {v['ratio']} = {value} | {target} | {result} |")
table = "\n".join(lines)
with open(os.path.join(out_dir, "results.md"), "w") as f:
    f.write(table + "\n")
print(table)
for problem in problems:
    print(f"problem: {problem}")
if problems:
    failed = True
print(f"results: {os.path.join(out_dir, 'results.json')}, results.csv, results.md")
sys.exit(1 if failed else 0)
