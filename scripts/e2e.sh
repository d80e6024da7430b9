#!/usr/bin/env bash
# Installs whatever the desktop needs (WebKitGTK, Xvfb, the WebKit WebDriver, npm packages,
# tauri-driver), builds the UI and the desktop app, runs the UI's unit tests, and drives the
# real window through tauri-driver under Xvfb.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
base_need
apt_need xvfb webkit2gtk-driver xauth

say "前端：安装依赖、构建、单元测试"
desktop_need
(cd ui && npx vitest run)

say "桌面程序：构建与单元测试"
cargo build --locked --bin yichuang
cargo build --locked -p yichuang-card-standin
(cd src-tauri && cargo build --locked && cargo test --locked)

if ! command -v tauri-driver >/dev/null; then
  [ -x "$HOME/.cargo/bin/tauri-driver" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v tauri-driver >/dev/null; then
  say "安装 tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked
  export PATH="$HOME/.cargo/bin:$PATH"
fi

# A display for the window: Xvfb on a free number unless one is given.
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 90 120); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then
      Xvfb ":$n" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
      xvfb_pid=$!
      trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
      export DISPLAY=":$n"
      sleep 1
      break
    fi
  done
fi

say "端到端测试（真实窗口，tauri-driver）"
(cd tests/e2e && cargo test --locked -- --test-threads=1)
