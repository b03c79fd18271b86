#!/usr/bin/env bash
# Runs the README's walkthrough (the ```bash block after "<!-- walkthrough -->"), extracted from README.md itself, from
# the repository root, and checks what each step must print: the CLI's verdict, the C# example's caller line and what
# the upstream behind the sample gateway was told. A README edit that breaks the flow fails here. Every process the block
# starts is stopped (it runs in its own process group). Exit 0 when every check holds.
set -euo pipefail
cd "$(dirname "$0")/.."

block=$(awk '/<!-- walkthrough -->/{found=1; next} found && /^```bash/{inside=1; next} inside && /^```/{exit} inside{print}' README.md)
if [ -z "$block" ]; then
  echo "readme-walkthrough: README.md has no \`\`\`bash block after <!-- walkthrough -->" >&2
  exit 1
fi

had_keys=false
[ -e keys ] && had_keys=true
out=$(mktemp)
cleanup() {
  if [ -n "${group:-}" ]; then
    kill -TERM -- "-$group" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 -- "-$group" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$group" 2>/dev/null || true
  fi
  "$had_keys" || rm -rf keys
  rm -f "$out"
}
trap cleanup EXIT

# Its own session and process group, so the servers it starts in the background are stopped with it.
setsid bash -euo pipefail -c "$block" >"$out" 2>&1 </dev/null &
group=$!
deadline=$((SECONDS + 300))
while kill -0 "$group" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "readme-walkthrough: still running after 300 s; output so far:" >&2
    cat "$out" >&2
    exit 1
  fi
  sleep 1
done
status=0
wait "$group" || status=$?

failures=()
[ "$status" -eq 0 ] || failures+=("the block exited with status $status")
grep -q '^{"valid":true,"principal":{"organisationId":"org-1","workspaceSlug":"ws-1","userId":"ada@example.com"' "$out" \
  || failures+=("the CLI did not print a valid verdict for org-1/ws-1/ada@example.com")
grep -qx 'org-1/ws-1 as ada@example.com \[completions.write\]' "$out" \
  || failures+=("the C# example did not print the caller")
grep -qF '{"organisation":"org-1","workspace":"ws-1","user":"ada@example.com","scopes":"completions.write","tokenReceived":false}' "$out" \
  || failures+=("the upstream behind the sample gateway was not told the caller (and only the caller, without the token)")
token=$(grep -oE 'eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}' "$out" | head -n1 || true)
[ -z "$token" ] || failures+=("the output contains a token")

if [ ${#failures[@]} -gt 0 ]; then
  echo "readme-walkthrough: FAILED" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  echo "output:" >&2
  sed -E 's/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_.-]*/<token>/g' "$out" >&2
  exit 1
fi
echo "readme-walkthrough: passed (CLI verdict, C# example and gateway agree)"
