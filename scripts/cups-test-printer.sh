#!/usr/bin/env bash
# Installs CUPS with a PDF-printing queue ("YichuangPDF", cups-pdf) and starts the scheduler,
# for the printing tests. Idempotent. Jobs land in $HOME/PDF of the user who prints.
# (The ESC/POS test adds its own raw queue pointing at a socket it listens on.)
source "$(dirname "$0")/lib.sh"
# Tests run in parallel: one setup at a time.
exec 9>"${TMPDIR:-/tmp}/yichuang-cups-setup.lock"
flock 9
apt_need cups cups-client cups-bsd printer-driver-cups-pdf locales
# A Chinese locale: the printing tests run CUPS's tools as a Chinese desktop would.
if ! locale -a 2>/dev/null | grep -qix 'zh_CN.utf8'; then
  as_root localedef -i zh_CN -c -f UTF-8 zh_CN.UTF-8
fi
if ! lpstat -r 2>/dev/null | grep -q "is running"; then
  as_root /usr/sbin/cupsd
  for _ in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.1; done
fi
if ! lpstat -e 2>/dev/null | grep -qx YichuangPDF; then
  as_root lpadmin -p YichuangPDF -E -v cups-pdf:/ -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null
fi
lpstat -e | grep -qx YichuangPDF
