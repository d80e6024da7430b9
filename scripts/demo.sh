#!/usr/bin/env bash
# README's first command. Installs whatever is missing (C compiler, Rust, WebKitGTK, Node.js and
# the UI's npm packages), builds the app, scripts a day at the demo centre on a real database
# (.demo/centre.db, with its documents as PDFs in .demo/), and starts the desktop window on it.
# Staff: 李梅 (demo) and 张磊 (b1) at the windows, 王建国 (head) the station head; PIN 123456.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
base_need
desktop_need

say "构建（release）"
cargo build --locked --release --bin yichuang
(cd src-tauri && cargo build --locked --release)
bin="$CARGO_TARGET_DIR/release/yichuang"
desk="$CARGO_TARGET_DIR/release/yichuang-desktop"

say "演示中心：一天的窗口业务"
mkdir -p "$ROOT/.demo"
db="$ROOT/.demo/centre.db"
if [ -e "$db" ]; then
  # Nothing is deleted: the last demo database is kept aside.
  mv "$db" "$ROOT/.demo/centre-$(date +%Y%m%d-%H%M%S).db"
  rm -f "$db-wal" "$db-shm"
fi
"$bin" --db "$db" demo
y=$(date +%Y)
for n in GZ-$y-01-0001 BZ-$y-01-0001 SL-$y-01-0001 BS-$y-01-0001; do
  "$bin" --db "$db" doc render "$n" --out "$ROOT/.demo/$n.pdf" >/dev/null 2>&1 || true
done
echo "今天出具的文书（PDF）在 $ROOT/.demo/ 下；命令行：$bin --db $db case list"

say "启动桌面程序（工作人员 李梅，密码 123456）"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  apt_need xvfb xauth
  echo "没有图形显示（DISPLAY 未设置）：在虚拟显示 Xvfb 中启动。"
  exec xvfb-run -a -s "-screen 0 1366x768x24" "$desk" "$db"
fi
exec "$desk" "$db"
