#!/usr/bin/env bash
# Screenshots of the desktop window's screens at 1366×768 under Xvfb, taken by the end-to-end
# tests as they go (not committed): scripts/screenshots.sh [DIR] (default .demo/screenshots).
source "$(dirname "$0")/lib.sh"
out="${1:-$ROOT/.demo/screenshots}"
mkdir -p "$out"
YICHUANG_SCREENSHOTS="$(cd "$out" && pwd)" bash "$ROOT/scripts/e2e.sh"
ls "$out"
