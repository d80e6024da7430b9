#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the HQ tests: Debian's packages, `initdb` into a temporary
# folder, a free port on 127.0.0.1, trust authentication on loopback only. Prints
#   export YICHUANG_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres
#   export YICHUANG_PG_DIR=DIR
# for `eval`. `scripts/pg-test-server.sh stop DIR` stops it. PostgreSQL refuses to run as root,
# so as root it runs as the `postgres` user the package creates.
source "$(dirname "$0")/lib.sh"
if [ "${1:-}" = stop ]; then
  dir="$2"
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  else "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  exit 0
fi
apt_need postgresql >&2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/yichuang-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
echo "export YICHUANG_PG_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "export YICHUANG_PG_DIR=$dir"
