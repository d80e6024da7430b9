#!/usr/bin/env bash
# Installs whatever is missing and runs every test of the project.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# The tests' own key folder (the key that seals the databases they make), not this user's.
export YICHUANG_KEY_DIR="${YICHUANG_KEY_DIR:-$(mktemp -d)}"
base_need
# poppler-utils and qpdf check the printed PDFs (pdftotext, pdffonts, qpdf --check).
apt_need poppler-utils qpdf openssl curl libreoffice-calc-nogui

say "PostgreSQL（县级服务器的测试用，临时实例）"
eval "$(bash "$ROOT/scripts/pg-test-server.sh")"
trap 'bash "$ROOT/scripts/pg-test-server.sh" stop "$YICHUANG_PG_DIR"' EXIT

say "构建并运行全部测试（单元、属性、集成、崩溃、县级服务器）"
mkdir -p "$CARGO_TARGET_DIR"
# The stand-in ID-card reader library the card tests load (a cdylib: `cargo test` builds no .so).
cargo build --locked -p yichuang-card-standin
cargo test --workspace --locked --all-targets 2>&1 | tee "${CARGO_TARGET_DIR}/last-test.log"

say "代码检查（clippy）"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "演示流程可运行"
demo_db="$(mktemp -d)/demo.db"
YICHUANG_NOW="2026-11-23T08:30:00+08:00" "$CARGO_TARGET_DIR/debug/yichuang" --db "$demo_db" demo >/dev/null
"$CARGO_TARGET_DIR/debug/yichuang" --db "$demo_db" verify

say "桌面程序（界面单元测试、真实窗口端到端测试）"
bash "$ROOT/scripts/e2e.sh"

say "发布安装包（.deb）"
bash "$ROOT/scripts/deb.sh"

say "全部通过"
