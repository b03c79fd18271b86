#!/usr/bin/env bash
# Proves the packages work as shipped, not only the project references:
#   1. packs PortkeyJwt, PortkeyJwt.AspNetCore, PortkeyJwt.IdentityModel, PortkeyJwt.Redis, PortkeyJwt.TestKit and the portkey-jwt tool
#      into artifacts/packages;
#   2. checks each package carries its README, a symbols package and the commit it was built from;
#   3. installs the tool from that folder, mints a key and a token with it;
#   4. builds tests/PackageConsumer (outside the solution, its own nuget.config) against the packages by version, with
#      an empty package cache so nothing comes from the developer's machine, and runs the README's C# example on the
#      token; then checks the build resolved every PortkeyJwt library as a package;
#   5. runs the consumer's test-kit mode: a token the packed test kit minted, validated by the kit's validator (across a
#      key rotation), by the packed JwtBearer bridge, and by the README example over the kit's JWKS.
# Exit 0 when every check holds.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.1.0
feed=artifacts/packages
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package-consumer: FAILED: $*" >&2; exit 1; }

rm -rf "$feed"
dotnet pack PortkeyJwt.sln -c Release -o "$feed" -p:VersionPrefix="$version" --nologo -v quiet >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; fail "dotnet pack"; }

packages="PortkeyJwt PortkeyJwt.AspNetCore PortkeyJwt.IdentityModel PortkeyJwt.Redis PortkeyJwt.TestKit PortkeyJwt.Cli"
for id in $packages; do
  nupkg="$feed/$id.$version.nupkg"
  [ -f "$nupkg" ] || fail "$nupkg was not produced"
  [ -f "$feed/$id.$version.snupkg" ] || fail "$id has no symbols package"
  files=$(unzip -Z1 "$nupkg")
  grep -qx 'README.md' <<<"$files" || fail "$id has no README.md"
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id's nuspec does not name its readme"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id's nuspec has no MIT licence"
  grep -qE '<repository type="git"[^>]* commit="[0-9a-f]{40}"' <<<"$nuspec" || fail "$id's nuspec has no repository commit"
done
for n in "$feed"/*.nupkg; do
  case " $packages " in *" $(basename "$n" ".$version.nupkg") "*) ;;
    *) fail "an unexpected package was packed: $n (tests, samples and benchmarks must not be packable)" ;; esac
done

deps=$(unzip -p "$feed/PortkeyJwt.TestKit.$version.nupkg" PortkeyJwt.TestKit.nuspec | grep -o '<dependency id="[^"]*"' | sed 's/.*id="//;s/"$//' | sort -u | tr '\n' ' ')
[ "$deps" = "PortkeyJwt " ] || fail "PortkeyJwt.TestKit must depend on PortkeyJwt and the BCL only, not: $deps"

# A package cache of its own: every PortkeyJwt* package comes from the feed, nothing from an earlier build.
export NUGET_PACKAGES="$work/nuget-packages"

dotnet tool install PortkeyJwt.Cli --version "$version" --tool-path "$work/tools" --add-source "$feed" >"$work/tool.log" 2>&1 \
  || { cat "$work/tool.log" >&2; fail "dotnet tool install PortkeyJwt.Cli"; }
"$work/tools/portkey-jwt" keygen --kid pkg-1 --out "$work/keys" >/dev/null
token=$("$work/tools/portkey-jwt" sign --key "$work/keys/private.pem" --kid pkg-1 --issuer https://auth.example.com \
  --audience portkey-gateway --org org-pkg --workspace ws-pkg --scope completions.write --email pkg@example.com 2>/dev/null)

consumer=tests/PackageConsumer
rm -rf "$consumer/bin" "$consumer/obj"
dotnet build "$consumer" -c Release -p:PortkeyJwtVersion="$version" --nologo >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "building the consumer against the packages"; }
python3 - "$consumer/obj/project.assets.json" "$version" <<'PY' || fail "the consumer did not resolve PortkeyJwt $version as a package"
import json, sys
assets = json.load(open(sys.argv[1]))
libraries = assets["libraries"]
for id in ("PortkeyJwt", "PortkeyJwt.AspNetCore", "PortkeyJwt.IdentityModel", "PortkeyJwt.TestKit"):
    entry = libraries.get(f"{id}/{sys.argv[2]}")
    assert entry and entry["type"] == "package", (id, entry)
PY

output=$(dotnet "$consumer/bin/Release/net10.0/PackageConsumer.dll" "$work/keys/jwks.json" "$token") \
  || fail "the README example rejected the token: $output"
[ "$output" = "org-pkg/ws-pkg as pkg@example.com [completions.write]" ] || fail "unexpected output: $output"
kit=$(dotnet "$consumer/bin/Release/net10.0/PackageConsumer.dll" testkit) || fail "the test kit's token was rejected: $kit"
[ "$kit" = "org-kit/ws-kit as kit@example.com [completions.write]" ] || fail "unexpected test-kit output: $kit"
rm -rf "$consumer/bin" "$consumer/obj"
echo "package-consumer: passed (6 packages with README, symbols and commit; the tool, the README example, the test kit and the JwtBearer bridge ran from them)"
