#!/usr/bin/env bash
# Installs whatever is missing and runs the demo centre: a scripted day at the window on a
# real database, which you can then explore with the `yichuang` command.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
base_need

cargo build --locked --release --bin yichuang
bin="$CARGO_TARGET_DIR/release/yichuang"
mkdir -p "$ROOT/.demo"
db="$ROOT/.demo/centre.db"
rm -f "$db" "$db-wal" "$db-shm"
"$bin" --db "$db" demo
cat <<TXT

接着可以试试：
  $bin --db $db case list
  $bin --db $db catalog search ylbx
  $bin --db $db doc show SL-2026-01-0001 --json
  $bin --db $db calendar month 2026-10
  $bin --db $db verify
TXT
