#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, under target/postgres/, listening on 127.0.0.1 and a socket
# in that folder only.
#
#   scripts/postgres.sh start   install PostgreSQL from the distribution's packages if missing, create the
#                               cluster if missing, start it; prints `export AEGIS_POSTGRES_URL=...`
#                               (use: eval "$(scripts/postgres.sh start)")
#   scripts/postgres.sh url     prints the URL of the running cluster
#   scripts/postgres.sh stop    stops it (the data stays under target/postgres/ until `clean`)
#   scripts/postgres.sh restart stops and starts the server (what the restart tests do through pg_ctl)
#   scripts/postgres.sh clean   stops it and deletes the cluster
#   scripts/postgres.sh test    start, then run every PostgreSQL test (cargo test with the `postgres`
#                               features), then stop; the exit code is the tests'
#
# The server refuses to run as root: when this script runs as root, the cluster belongs to the distribution's
# `postgres` user and every server command runs as that user. The port is 54329 unless AEGIS_PG_PORT is set.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
base="$root/target/postgres"
data="$base/data"
sock="$base/run"
log="$base/server.log"
port="${AEGIS_PG_PORT:-54329}"
db=aegis
# The crates whose `postgres` feature adds a PostgreSQL backend (or, for aegis-scale, the suite against the
# server) and tests/postgres*.rs.
pg_crates=(audit-system hitl-collab aegis-pipeline aegis-scale)

url() {
    echo "host=127.0.0.1 port=$port user=postgres dbname=$db"
}

# The PostgreSQL binaries of the newest installed major version (Debian keeps them off PATH).
bindir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    if [[ -n "$d" && -x "$d/initdb" ]]; then
        echo "$d"
    elif command -v initdb >/dev/null; then
        dirname "$(command -v initdb)"
    fi
}

install_if_missing() {
    if [[ -z "$(bindir)" ]]; then
        echo "postgres.sh: installing PostgreSQL from the distribution's packages" >&2
        if [[ $EUID -ne 0 ]]; then
            echo "postgres.sh: PostgreSQL is not installed and this is not root; run: sudo apt-get install -y postgresql" >&2
            exit 1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 ||
            { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
    fi
}

# Runs a server command as the unprivileged owner of the cluster.
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

running() {
    [[ -f "$data/postmaster.pid" ]] && as_owner "$(bindir)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

create_cluster() {
    mkdir -p "$base" "$sock"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "postgres.sh: no 'postgres' user to run the server as" >&2; exit 1; }
        chown postgres: "$base" "$sock"
        # The server's user must be able to reach the cluster: a checkout under a private folder (/root is
        # 0700) gets the search (x) bit for others on each folder above target/postgres that lacks it.
        local dir="$base"
        if ! runuser -u postgres -- test -x "$base"; then
            while [[ "$dir" != / ]]; do
                dir="$(dirname "$dir")"
                if (( (8#$(stat -c %a "$dir") & 1) == 0 )); then
                    echo "postgres.sh: chmod o+x $dir (so the postgres user can reach $base)" >&2
                    chmod o+x "$dir"
                fi
            done
        fi
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        rm -rf "$data"
        as_owner "$(bindir)/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$base/initdb.log" 2>&1 ||
            { cat "$base/initdb.log" >&2; exit 1; }
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$sock'"
            echo "max_connections = 200"
            echo "fsync = on"
            echo "synchronous_commit = on"
        } >>"$data/postgresql.conf"
    fi
}

start() {
    install_if_missing
    create_cluster
    if ! running; then
        as_owner "$(bindir)/pg_ctl" -D "$data" -l "$log" -w -t 60 start >&2 || { tail -20 "$log" >&2; exit 1; }
    fi
    if ! as_owner "$(bindir)/psql" -h "$sock" -p "$port" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" postgres | grep -q 1; then
        as_owner "$(bindir)/createdb" -h "$sock" -p "$port" -U postgres "$db"
    fi
    echo "export AEGIS_POSTGRES_URL='$(url)'"
}

stop() {
    if running; then
        as_owner "$(bindir)/pg_ctl" -D "$data" -m fast -w stop >&2
    fi
}

case "${1:-}" in
    start) start ;;
    url) running && url || { echo "postgres.sh: not running; start it with: eval \"\$(scripts/postgres.sh start)\"" >&2; exit 1; } ;;
    stop) stop ;;
    restart) stop; start >/dev/null ;;
    clean) stop; rm -rf "$base" ;;
    test)
        eval "$(start)"
        export AEGIS_POSTGRES_URL
        status=0
        # Every crate with a PostgreSQL backend keeps its server tests in tests/postgres*.rs behind its
        # `postgres` feature.
        args=()
        features=()
        for crate in "${pg_crates[@]}"; do
            args+=(-p "$crate")
            features+=("$crate/postgres")
        done
        (cd "$root" && cargo test "${args[@]}" --features "$(IFS=,; echo "${features[*]}")" --test 'postgres*') ||
            status=$?
        stop
        exit "$status"
        ;;
    *)
        sed -n '2,16p' "$0" >&2
        exit 2
        ;;
esac
