#!/usr/bin/env bash
# Prints the path of an official Node 22 binary (Netlify's runtime) for running the suite on it too.
# It comes from the npm registry (node-<platform>-<arch>@22, ~185 MB) and is kept in a cache folder
# keyed by version, so each run reuses it instead of downloading it into the temp dir again:
#   ${NODE22_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/stripe-conversions/node22}/<version>/
# Older versions are removed when a newer one is installed. Offline, the newest cached one is used.
set -euo pipefail
pkg="node-$(node -p 'process.platform')-$(node -p 'process.arch')"
cache="${NODE22_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stripe-conversions/node22}"
bin_of() { echo "$cache/$1/node_modules/$pkg/bin/node"; }

version="$(npm view "$pkg@22" version --loglevel=error 2>/dev/null | grep -o "22\.[0-9]*\.[0-9]*" | sort -V | tail -n 1 || true)"
if [ -z "$version" ]; then
  version="$(ls "$cache" 2>/dev/null | grep -E '^22\.' | sort -V | tail -n 1 || true)"
  [ -n "$version" ] && [ -x "$(bin_of "$version")" ] || { echo "no Node 22: the npm registry is unreachable and nothing is cached in $cache" >&2; exit 1; }
fi

if [ ! -x "$(bin_of "$version")" ]; then
  mkdir -p "$cache"
  partial="$(mktemp -d "$cache/.partial-XXXXXX")"
  trap 'rm -rf "$partial"' EXIT
  npm install --prefix "$partial" --no-save --no-audit --no-fund --loglevel=error "$pkg@$version" >&2
  # Another run may have finished the same install meanwhile: keep the first.
  if [ -x "$(bin_of "$version")" ]; then rm -rf "$partial"; else mv "$partial" "$cache/$version"; fi
  trap - EXIT
  find "$cache" -mindepth 1 -maxdepth 1 ! -name "$version" -exec rm -rf {} +
fi
bin="$(bin_of "$version")"
"$bin" --version >/dev/null
echo "$bin"
