#!/usr/bin/env bash
# Installs Debian's Chromium and Korean fonts for the browser tests when they are missing.
# Browser tests skip (saying why) if this cannot install them, e.g. without root.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: cannot install ${need[*]} (needs root and apt-get); browser tests will be skipped." >&2
  exit 0
fi
echo "ensure_chromium: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "ensure_chromium: installing ${need[*]} failed; browser tests will be skipped." >&2
exit 0
