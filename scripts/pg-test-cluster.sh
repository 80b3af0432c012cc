#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster for the case-store tests and
# benchmarks, from Debian's postgresql package (no system service involved).
#
#   dsn=$(scripts/pg-test-cluster.sh start DIR [PORT])   # prints the DSN
#   HUELLA_TEST_POSTGRES=$dsn go test ./...
#   scripts/pg-test-cluster.sh stop DIR
#
# The cluster lives in DIR (created, or started again when it holds one;
# remove it after stop when it was for tests), listens on
# 127.0.0.1:PORT (default: the first free port from 55432) and on a socket in
# DIR, trusts local connections, and runs with fsync off: it holds test data
# only. PostgreSQL refuses to run as root, so under root the server runs as
# the "postgres" user the Debian package creates.
set -euo pipefail

bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2
    exit 1
  fi
  echo "$d"
}

as_owner() { # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local p=${1:-55432}
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
    p=$((p + 1))
  done
  echo "$p"
}

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 2
fi
bin=$(bindir)

case "$cmd" in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  fresh=1
  if [ -f "$dir/data/PG_VERSION" ]; then
    fresh=0 # a cluster made earlier (a benchmark corpus): start it again
    port=${3:-$(cat "$dir/port")}
  else
    port=${3:-$(free_port)}
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U huella -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # PG_SERVER_OPTS adds settings, e.g. "-c shared_buffers=1GB" for a benchmark.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_SERVER_OPTS:-}" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  if [ "$fresh" = 1 ]; then
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U huella huella
  fi
  echo "postgres://huella@127.0.0.1:$port/huella?sslmode=disable"
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  ;;
*)
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 2
  ;;
esac
