# Shared by the project's scripts: install what is missing, nothing more.
# Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yichuang-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

say() { printf '\n== %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "需要 root 权限安装系统软件包：$*" >&2; return 1; fi
}

# apt_need PKG... — installs the Debian packages that are not installed yet.
apt_need() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "安装系统软件包：${missing[*]}"
  if [ -z "${YICHUANG_APT_UPDATED:-}" ]; then as_root apt-get update -qq; export YICHUANG_APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The Rust toolchain: cargo from rustup (Debian's own cargo is too old for the pinned crates).
rust_need() {
  if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null; then
    apt_need curl ca-certificates
    say "安装 Rust 工具链（rustup）"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

base_need() {
  # gcc for the bundled SQLite; pkg-config for -sys crates; fonts-hanazono for the rare
  # characters of names (CJK Extension B and on) that the documents and the window print.
  apt_need build-essential pkg-config fonts-hanazono
  rust_need
}

# What the desktop app needs to build and run: WebKitGTK and GTK, Node.js and npm, the UI's
# npm packages (pinned by ui/package-lock.json) and its built files in ui/dist.
desktop_need() {
  # fonts-wqy-microhei: a sans-serif Chinese face for the window (5 MB) where the system has none.
  apt_need libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev file fonts-wqy-microhei
  if ! command -v npm >/dev/null; then apt_need nodejs npm; fi
  (cd "$ROOT/ui" && npm install --no-audit --no-fund --loglevel=error && npm run build)
}
