# Shared by the shell benchmarks: start one release `nsd run` on free ports with a fresh data
# folder, mint a bearer token, and clean up on exit. Source it, then call `start_nsd NAME [ENV=VALUE...]`;
# NSD_ROLES="gateway ns" (say) runs only those nodes, otherwise all four.
#
# After start_nsd: $data (data folder), $port (gateway), $nsport, $vpport, $adminport, $pid,
# $secret_file (the JWT secret, 0600) and TOKEN (exported, an HS256 token for wrk's scripts).
# The secret reaches nsd through a 0600 file, never a command line.

# NSD_BIN picks another build (alternating builds in one session, say). NSD_TLS_DIR, a folder
# holding ca.pem, cert.pem and key.pem (make_test_certificates makes one), makes nsd serve HTTPS;
# $scheme is then https and $curl_tls the curl options that trust its CA.
nsd=${NSD_BIN:-.build/release/nsd}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

require_tools() {
  local name=$1
  [[ -x $nsd ]] || { echo "$name: $nsd is missing; run: swift build -c release --product nsd" >&2; exit 1; }
  command -v wrk >/dev/null || { echo "$name: wrk is missing; run: scripts/install-deps" >&2; exit 1; }
}

# Commands cleanup_nsd runs once nsd has stopped, for what nsd used (postgres.sh adds its cluster's).
after_nsd=()

# Each step tolerates failure (an nsd that has exited already, say): under `set -e` a failed step
# would end the trap before the rest is cleaned up.
cleanup_nsd() {
  if [[ -n ${pid:-} ]]; then kill "$pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [[ -n ${data:-} ]]; then rm -rf "$data"; fi
  local step
  for step in "${after_nsd[@]}"; do "$step"; done
}

start_nsd() {
  local name=$1; shift
  require_tools "$name"
  data=$(mktemp -d "/tmp/$name.XXXXXX")
  trap cleanup_nsd EXIT
  port=$(free_port); nsport=$(free_port); vpport=$(free_port); adminport=$(free_port)
  local roles=()
  for role in ${NSD_ROLES:-}; do roles+=(--role "$role"); done
  umask 077
  secret_file="$data/jwt-secret"
  python3 -c 'import secrets; print(secrets.token_hex(32), end="")' > "$secret_file"
  scheme=http curl_tls=() tls_env=()
  if [[ -n ${NSD_TLS_DIR:-} ]]; then
    scheme=https curl_tls=(--cacert "$NSD_TLS_DIR/ca.pem")
    tls_env=(TLS_CERT_FILE="$NSD_TLS_DIR/cert.pem" TLS_KEY_FILE="$NSD_TLS_DIR/key.pem" TLS_CA_FILE="$NSD_TLS_DIR/ca.pem")
  fi
  env JWT_SECRET_FILE="$secret_file" RATE_LIMIT_MAX_REQUESTS=10000000 LOG_FILE="$data/nsd.log" "${tls_env[@]}" "$@" \
    "$nsd" run "${roles[@]}" --data-dir "$data" --gateway-port "$port" --ns-port "$nsport" --vp-port "$vpport" --admin-port "$adminport" \
    >/dev/null 2>"$data/nsd.stderr" &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fs "${curl_tls[@]}" "$scheme://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "$name: nsd exited; its log:" >&2; cat "$data/nsd.stderr" >&2; exit 1; }
    sleep 0.1
  done
  TOKEN=$(SECRET_FILE="$secret_file" python3 - <<'PY'
import base64, hashlib, hmac, json, os, time
b = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
header = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
payload = b(json.dumps({"sub": "bench", "exp": int(time.time()) + 7200}).encode())
secret = open(os.environ["SECRET_FILE"]).read()
mac = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
print(f"{header}.{payload}.{b(mac)}")
PY
)
  export TOKEN
}

# A CA and a certificate it signed for 127.0.0.1 and localhost (ca.pem, cert.pem, key.pem) in
# FOLDER, made with the openssl command line, for NSD_TLS_DIR.
make_test_certificates() {
  local folder=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench CA" \
    -keyout "$folder/ca-key.pem" -out "$folder/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$folder/key.pem" -out "$folder/cert.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$folder/san.ext"
  openssl x509 -req -in "$folder/cert.csr" -CA "$folder/ca.pem" -CAkey "$folder/ca-key.pem" -CAcreateserial \
    -days 2 -extfile "$folder/san.ext" -out "$folder/cert.pem" 2>/dev/null
}

# CPU seconds (user + system) nsd has used so far. The VM's throughput drifts by a third over tens
# of minutes; CPU per request drifts far less, so the scripts print both.
nsd_cpu_seconds() {
  awk -v tick="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / tick}' "/proc/$pid/stat"
}

# Prints "nsd CPU: X µs per NOUN" for the CPU used from BEFORE to AFTER (default: now) over COUNT
# requests.
report_nsd_cpu() {
  local before=$1 count=$2 noun=$3 after=${4:-$(nsd_cpu_seconds)}
  python3 -c "import sys; b,a,n=float(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]); print(f'nsd CPU: {a-b:.1f} s = {(a-b)*1e6/max(n,1):.0f} µs per {sys.argv[4]}')" \
    "$before" "$after" "$count" "$noun"
}

# Runs wrk's submit script against the gateway in the background for SECONDS with CONNECTIONS;
# sets $load_pid.
start_submit_load() {
  wrk -t1 -c"$2" -d"$1s" -s bench/GatewayBench/submit.lua "http://127.0.0.1:$port/api/submit" >"$data/wrk.out" 2>&1 &
  load_pid=$!
}
