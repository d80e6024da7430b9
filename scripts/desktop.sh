#!/usr/bin/env bash
# Installs whatever is missing, builds the desktop app and starts it on the demo centre
# (.demo/desktop.db; staff `demo`, `b1` and `head`, PIN 1234).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
base_need
apt_need libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev
if ! command -v npm >/dev/null; then apt_need nodejs npm; fi
(cd ui && npm install --no-audit --no-fund --loglevel=error && npm run build)
(cd src-tauri && cargo build --locked --release)
mkdir -p "$ROOT/.demo"
exec "$CARGO_TARGET_DIR/release/yichuang-desktop" --demo "$ROOT/.demo/desktop.db"
