#!/usr/bin/env bash
# Runs the test suite (vitest, on the dist/ already built) on another Node release, fetched from the npm
# registry's `node` package: `scripts/test-on-node.sh 22.23.3`. better-sqlite3's native addon is built for
# that release's ABI beside the current one, swapped in for the run and swapped back afterwards, whatever
# happens, so the tree is left as it was for the Node that installed it.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:?usage: scripts/test-on-node.sh <node version, e.g. 22.23.3>}"
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
[ -f "$addon" ] || { echo "test-on-node: $addon is missing: run npm ci first" >&2; exit 2; }

# The release's node binary and headers (node-gyp builds against them; nothing is fetched from nodejs.org).
node_bin=$(npx -y -p "node@$version" -c 'readlink -f "$(command -v node)"')
[ "$("$node_bin" --version)" = "v$version" ] || { echo "test-on-node: npx gave $("$node_bin" --version), not v$version" >&2; exit 2; }
headers=$(find "$(dirname "$(dirname "$node_bin")")" -path '*/include/node/node_version.h' -print -quit)
[ -n "$headers" ] || { echo "test-on-node: node@$version ships no headers" >&2; exit 2; }
node_dir=${headers%/include/node/node_version.h}
node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"

work=$(mktemp -d)
cp "$addon" "$work/current.node"
restore() {
  cp "$work/current.node" "$addon"
  rm -rf "$work"
}
trap restore EXIT

echo "test-on-node: building better-sqlite3 for node $version"
# A copy of the package is built, so the installed one keeps its build tree; JOBS: compile in parallel.
cp -r node_modules/better-sqlite3 "$work/better-sqlite3"
(cd "$work/better-sqlite3" && JOBS=max npm_config_nodedir="$node_dir" "$node_bin" "$node_gyp" rebuild --release --loglevel=warn)
cp "$work/better-sqlite3/build/Release/better_sqlite3.node" "$addon"

echo "test-on-node: the test suite on node $version"
PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run
