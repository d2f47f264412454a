#!/usr/bin/env bash
# Installs axe-core, pinned in package-lock.json, into node_modules/ for the browser tests'
# accessibility checks. Those checks skip (saying why) if this cannot install it, e.g. without npm.
set -u
cd "$(dirname "$0")/.."
# npm ci empties node_modules/ first: do not run it (and lose a working copy offline) when
# the installed tree already matches the lockfile.
if [ -f node_modules/axe-core/axe.min.js ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ensure_axe: npm is missing; the accessibility checks will be skipped." >&2
  exit 0
fi
echo "ensure_axe: installing axe-core"
npm ci --no-audit --no-fund --loglevel=error >/dev/null \
  || echo "ensure_axe: npm ci failed; the accessibility checks will be skipped." >&2
exit 0
