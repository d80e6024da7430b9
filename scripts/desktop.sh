#!/usr/bin/env bash
# Builds the desktop app and starts it on a database: scripts/desktop.sh [DB]. A new database
# opens the first-start screen (set up a centre, or open the demo centre).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
base_need
desktop_need
(cd src-tauri && cargo build --locked --release)
mkdir -p "$ROOT/.demo"
exec "$CARGO_TARGET_DIR/release/yichuang-desktop" "${1:-$ROOT/.demo/desktop.db}"
