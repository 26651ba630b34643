# Shared by the shell benchmarks: a throwaway PostgreSQL cluster for ns-node's ledger. Source it
# after nsd.sh, then call `start_postgres NAME` before start_nsd and pass
# DATABASE_URL_FILE="$database_url_file" to start_nsd.
#
# After start_postgres: $database_url_file (a 0600 file holding the URL of the empty database
# `neuroswarm`, with its password: the URL never reaches a command line), $pg_port, $pg_dir.
# The cluster is made by initdb in a temporary folder and run by pg_ctl from $pg_bin (PG_BINDIR,
# by default PostgreSQL 15's), as the `postgres` user when the script runs as root, on a free
# loopback port. It is durable (fsync and synchronous_commit on), and it is stopped and its
# folder removed on exit, after nsd (cleanup_nsd runs $after_nsd).
pg_bin=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

# What the cluster runs with beyond the defaults, as ledger-bench's PostgresEngine: a dedicated
# database on a machine like this one keeps the ledger in its cache and spaces checkpoints by time.
pg_settings=(shared_buffers=1GB max_wal_size=8GB checkpoint_timeout=15min fsync=on synchronous_commit=on)

as_postgres_user() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# psql on the cluster's Unix socket (trusted: the socket's folder is the cluster owner's alone).
pg_psql() {
  as_postgres_user "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg_dir" -p "$pg_port" -U postgres "$@"
}

cleanup_postgres() {
  [[ -n ${pg_dir:-} ]] || return 0
  as_postgres_user "$pg_bin/pg_ctl" stop -D "$pg_dir/data" -m fast -w -t 60 >/dev/null 2>&1 || true  # not running: nothing to stop
  rm -rf "$pg_dir"
  pg_dir=""
}

start_postgres() {
  local name=$1
  [[ -x $pg_bin/initdb ]] || { echo "$name: $pg_bin/initdb is missing; install postgresql-15 (scripts/install-deps) or set PG_BINDIR" >&2; exit 1; }
  umask 077
  pg_dir=$(mktemp -d "/tmp/$name-postgres.XXXXXX")
  trap cleanup_postgres EXIT
  after_nsd+=(cleanup_postgres)
  local password
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  printf '%s\n' "$password" > "$pg_dir/password"
  [[ $(id -u) == 0 ]] && chown -R postgres: "$pg_dir"
  as_postgres_user "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --pwfile="$pg_dir/password" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$pg_dir/initdb.log" 2>&1 \
    || { echo "$name: initdb failed; its log:" >&2; cat "$pg_dir/initdb.log" >&2; exit 1; }
  rm "$pg_dir/password"
  pg_port=$(free_port)
  local options="-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$pg_dir" setting
  for setting in "${pg_settings[@]}"; do options+=" -c $setting"; done
  as_postgres_user "$pg_bin/pg_ctl" start -w -t 60 -D "$pg_dir/data" -l "$pg_dir/postgres.log" \
    -o "$options" >/dev/null \
    || { echo "$name: PostgreSQL did not start; its log:" >&2; cat "$pg_dir/postgres.log" >&2; exit 1; }
  pg_psql -d postgres -c "CREATE DATABASE neuroswarm" >/dev/null
  database_url_file="$pg_dir/database_url"
  printf 'postgres://postgres:%s@127.0.0.1:%s/neuroswarm?sslmode=disable' "$password" "$pg_port" > "$database_url_file"
  echo "PostgreSQL $(pg_psql -d postgres -c 'SHOW server_version') on 127.0.0.1:$pg_port (${pg_settings[*]})"
}
