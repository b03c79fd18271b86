#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt.
# Run after a deliberate public API change, then review the diff: the file is the record of the surface.
set -euo pipefail
cd "$(dirname "$0")/.."
for proj in src/*/; do
  [ -f "$proj/PublicAPI.Unshipped.txt" ] || continue
  dotnet build "$proj" -c Release --no-incremental 2>&1 \
    | grep -o "RS0016: Symbol '[^']*'" | sed "s/^RS0016: Symbol '//; s/'\$//" | sort -u >> "$proj/PublicAPI.Unshipped.txt" || true
  { head -n1 "$proj/PublicAPI.Unshipped.txt"; tail -n +2 "$proj/PublicAPI.Unshipped.txt" | sort -u; } > /tmp/api.txt
  mv /tmp/api.txt "$proj/PublicAPI.Unshipped.txt"
done
