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
# The day's documents as the applicant gets them.
y=$(date +%Y)
for n in GZ-$y-01-0001 BZ-$y-01-0001 SL-$y-01-0001 BS-$y-01-0001; do
  "$bin" --db "$db" doc render "$n" --out "$ROOT/.demo/$n.pdf" >/dev/null 2>&1 || true
done
"$bin" --db "$db" doc render SL-$y-01-0001 --layout slip --out "$ROOT/.demo/SL-$y-01-0001-slip.pdf" >/dev/null 2>&1 || true
echo
echo "今天出具的文书（PDF）在 $ROOT/.demo/ 下。"
cat <<TXT

接着可以试试：
  $bin --db $db case list
  $bin --db $db catalog search ylbx
  $bin --db $db doc show SL-2026-01-0001 --json
  $bin --db $db calendar month 2026-10
  $bin --db $db verify
TXT
