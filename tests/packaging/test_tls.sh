#!/bin/sh
# test_tls.sh: nginx with packaging/nginx/chopay.conf (the shipped file,
# only its ports, paths and name rewritten) terminating TLS in front of the
# real chopay-server (--demo, loopback, ephemeral port). A private CA signs
# the server's certificate and the kiosks' client certificates; curl checks
# what a kiosk would see, then the real chopay-kiosk pays through it
# (tests/kiosk/tls_kiosk.sh). Needs nginx (nginx-light), openssl, curl,
# python3, zbarimg.
set -u

build=${CHOPAY_BUILD:-build}
server_bin="$build/bin/chopay-server"
site_src=${CHOPAY_NGINX_SITE:-$(dirname "$0")/../../packaging/nginx/chopay.conf}
pass=0
fail=0

ok() {
    pass=$((pass + 1))
    echo "ok   $1"
}
bad() {
    fail=$((fail + 1))
    echo "FAIL $1${2:+: $2}"
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

nginx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
for need in openssl curl python3; do
    command -v "$need" >/dev/null || {
        bad "setup" "$need is not installed"
        finish
    }
done
if [ -z "$nginx" ]; then
    bad "setup" "nginx is not installed (apt-get install nginx-light; it is \
in scripts/deps.sh's list once the lead adds it)"
    finish
fi
[ -x "$server_bin" ] || {
    bad "setup" "$server_bin missing: build first"
    finish
}

# --- the packaged examples ------------------------------------------------
# every examples/ file that packaging/conf/server.conf names is one that
# debian/chopay-server.examples installs (dh_installexamples keeps the
# file's own name)
pkg=$(dirname "$0")/../../packaging
named=$(sed -n 's|.*/usr/share/doc/chopay-server/examples/\([A-Za-z0-9._-]*[A-Za-z0-9]\).*|\1|p' \
    "$pkg/conf/server.conf")
installed=$(sed 's|.*/||' "$pkg/debian/chopay-server.examples")
missing=""
for f in $named; do
    echo "$installed" | grep -qx "$f" || missing="$missing $f"
done
[ -n "$named" ] && [ -z "$missing" ] &&
    ok "server.conf names installed examples ($named)" ||
    bad "server.conf names examples the package does not install" \
        "${missing:-none named}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chopay-tls-XXXXXX")
srv_pid=""
ngx_pid=""
cleanup() {
    [ -z "$ngx_pid" ] || kill "$ngx_pid" 2>/dev/null
    [ -z "$srv_pid" ] || kill "$srv_pid" 2>/dev/null
    [ -z "$ngx_pid" ] || wait "$ngx_pid" 2>/dev/null
    [ -z "$srv_pid" ] || wait "$srv_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- certificates ---------------------------------------------------------
t="$tmp/tls"
mkdir -p "$t"
cat >"$t/ext.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:chopay.test, IP:127.0.0.1
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF
mkca() { # mkca NAME CN: a self-signed CA
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -days 2 -subj "/CN=$2" -keyout "$t/$1.key" -out "$t/$1.crt" \
        -config "$t/ext.cnf" -extensions ca 2>/dev/null
}
mkcert() { # mkcert NAME CN CA EXT: a key and a certificate signed by CA
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=$2" -keyout "$t/$1.key" -out "$t/$1.csr" \
        -config "$t/ext.cnf" 2>/dev/null &&
        openssl x509 -req -in "$t/$1.csr" -CA "$t/$3.crt" -CAkey "$t/$3.key" \
            -CAcreateserial -days 2 -extfile "$t/ext.cnf" -extensions "$4" \
            -out "$t/$1.crt" 2>/dev/null
}
if mkca ca "chopay test CA" && mkca kiosk-ca "chopay test kiosk CA" &&
    mkca other-ca "some other CA" &&
    mkcert server chopay.test ca server &&
    mkcert kiosk1 "kiosk CHO-TT 1" kiosk-ca client &&
    mkcert rogue "kiosk rogue" other-ca client; then
    ok "private CAs, server and kiosk certificates"
else
    bad "openssl could not make the certificates"
    finish
fi

# --- chopay-server on an ephemeral loopback port -----------------------------
mkdir "$tmp/srv"
"$server_bin" --demo --listen 127.0.0.1:0 --data-dir "$tmp/srv" \
    >"$tmp/srv.out" 2>"$tmp/srv.err" &
srv_pid=$!
i=0
while [ ! -s "$tmp/srv/server.addr" ] && [ $i -lt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
srv_addr=$(cat "$tmp/srv/server.addr" 2>/dev/null)
if [ -z "$srv_addr" ]; then
    bad "chopay-server did not start" "$(tail -n 3 "$tmp/srv.err")"
    finish
fi
key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kiosks"]["CHO-TT"])' \
    "$tmp/srv/demo-credentials.json" 2>/dev/null)

# --- nginx with the shipped site file ----------------------------------------
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# site VARIANT: the shipped file with this test's ports, paths and name;
# VARIANT "required" also uncomments the client-certificate requirement.
site() {
    sed -e "s|server 127.0.0.1:8080;|server $srv_addr;|" \
        -e "s|listen 443 ssl http2;|listen 127.0.0.1:$tls_port ssl http2;|" \
        -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
        -e '/listen \[::\]:/d' \
        -e "s|/etc/chopay/tls/|$t/|" \
        -e 's|server_name chopay.example.vn;|server_name chopay.test;|' \
        "$site_src" |
        if [ "$1" = required ]; then
            sed 's|#if (\$chopay_cert_missing)|if ($chopay_cert_missing)|'
        else
            cat
        fi
}
start_nginx() { # start_nginx VARIANT: 0 when nginx answers
    site "$1" >"$tmp/site.conf"
    user=""
    if [ "$(id -u)" -eq 0 ]; then
        chmod 755 "$tmp"
        user="user nobody nogroup;"
    fi
    cat >"$tmp/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 128; }
http {
    access_log $tmp/access.log;
    client_body_temp_path $tmp/ngx-body;
    proxy_temp_path $tmp/ngx-proxy;
    fastcgi_temp_path $tmp/ngx-fastcgi;
    uwsgi_temp_path $tmp/ngx-uwsgi;
    scgi_temp_path $tmp/ngx-scgi;
    include $tmp/site.conf;
}
EOF
    "$nginx" -t -q -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" \
        2>"$tmp/nginx-t.log" || return 2
    "$nginx" -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" \
        2>>"$tmp/error.log" &
    ngx_pid=$!
    j=0
    while [ $j -lt 100 ]; do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$http_port/" &&
            return 0
        kill -0 "$ngx_pid" 2>/dev/null || break
        sleep 0.05
        j=$((j + 1))
    done
    kill "$ngx_pid" 2>/dev/null
    wait "$ngx_pid" 2>/dev/null
    ngx_pid=""
    return 1
}
stop_nginx() {
    kill "$ngx_pid" 2>/dev/null
    wait "$ngx_pid" 2>/dev/null
    ngx_pid=""
}
# nginx cannot report a port it picked: take free ones, retry on a race.
boot() { # boot VARIANT
    for attempt in 1 2 3; do
        tls_port=$(free_port)
        http_port=$(free_port)
        start_nginx "$1"
        rc=$?
        [ $rc -eq 0 ] && return 0
        [ $rc -eq 2 ] && return 2
    done
    return 1
}

boot optional
case $? in
0) ok "nginx -t accepts the shipped chopay.conf; nginx serves it" ;;
2)
    bad "nginx -t rejects the config" "$(cat "$tmp/nginx-t.log")"
    finish
    ;;
*)
    bad "nginx did not start" "$(tail -n 3 "$tmp/error.log")"
    finish
    ;;
esac

# The rewrite above must have hit every line it targets, or the test would
# quietly run a different configuration from the one shipped.
n=$(grep -c -e "server $srv_addr;" -e "listen 127.0.0.1:$tls_port ssl" \
    -e "listen 127.0.0.1:$http_port;" -e "$t/server.crt" \
    -e "$t/kiosk-ca.crt" "$tmp/site.conf")
[ "$n" -eq 5 ] && ok "site file rewritten at its 5 deployment lines" ||
    bad "site file rewrite" "$n of 5 lines"

url="https://chopay.test:$tls_port"
pin="--resolve chopay.test:$tls_port:127.0.0.1"
# req ARGS...: curl through nginx; prints "CODE BODY", curl's exit on failure
req() {
    # shellcheck disable=SC2086
    out=$(curl -sS --max-time 15 $pin -w '\n%{http_code}' "$@" 2>"$tmp/curl.err")
    rc=$?
    code=$(printf '%s' "$out" | tail -n 1)
    body=$(printf '%s' "$out" | sed '$d')
    return $rc
}

req --cacert "$t/ca.crt" "$url/healthz"
if [ "$code" = 200 ] && printf '%s' "$body" | grep -q '"status": *"ok"'; then
    ok "GET /healthz over TLS, verified with the private CA"
else
    bad "GET /healthz over TLS" "rc=$rc code=$code $(cat "$tmp/curl.err")"
fi

req --cacert "$t/other-ca.crt" "$url/healthz"
[ $rc -eq 60 ] && ok "a client trusting another CA refuses the server" ||
    bad "wrong CA" "curl exit $rc, want 60"

req "$url/healthz"
[ $rc -eq 60 ] && ok "a client trusting only the public CAs refuses it" ||
    bad "system CA store" "curl exit $rc, want 60"

# shellcheck disable=SC2086
out=$(curl -sS --max-time 5 --resolve "wrong.test:$tls_port:127.0.0.1" \
    --cacert "$t/ca.crt" "https://wrong.test:$tls_port/healthz" 2>&1)
rc=$?
[ $rc -eq 60 ] && ok "a name the certificate does not carry is refused" ||
    bad "hostname check" "curl exit $rc"

req --cacert "$t/ca.crt" --tls-max 1.1 "$url/healthz"
[ $rc -ne 0 ] && ok "TLS 1.1 is refused" || bad "TLS 1.1 accepted"

loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
    -H 'Host: chopay.test' "http://127.0.0.1:$http_port/v1/x?y=1")
[ "$loc" = "301 https://chopay.test/v1/x?y=1" ] &&
    ok "plain HTTP redirects to HTTPS" || bad "HTTP redirect" "$loc"

# A kiosk's requests, through nginx: dues, an intent, a long poll.
auth="Authorization: Bearer $key"
req --cacert "$t/ca.crt" -H "$auth" "$url/v1/payers/A-12/dues"
[ "$code" = 200 ] && printf '%s' "$body" | grep -q '"invoices"' &&
    ok "kiosk GET /v1/payers/A-12/dues over TLS" ||
    bad "dues over TLS" "code=$code ${body%%$(printf '\n')*}"

req --cacert "$t/ca.crt" -H "$auth" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: tls-test-$$" \
    --data '{"payer": "A-12", "invoices": "all"}' "$url/v1/intents"
intent=$(printf '%s' "$body" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
case "$code" in
200 | 201) [ -n "$intent" ] && ok "kiosk POST /v1/intents over TLS" ||
    bad "intent over TLS" "no id in $body" ;;
*) bad "intent over TLS" "code=$code $body" ;;
esac

t0=$(date +%s%N)
req --cacert "$t/ca.crt" -H "$auth" "$url/v1/intents/$intent?wait=3"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$code" = 200 ] && [ "$ms" -ge 2500 ] &&
    printf '%s' "$body" | grep -q '"pending"'; then
    ok "long poll held ${ms} ms through nginx, then answered"
else
    bad "long poll through nginx" "code=$code after ${ms} ms"
fi

req --cacert "$t/ca.crt" "$url/metrics"
[ "$code" = 404 ] && ok "/metrics is not served to the world" ||
    bad "/metrics through nginx" "code=$code"

# an upload without a credential: the server refuses it before storing
# its body, and nginx passes the 401 on (not a 502 from a reset)
head -c 6291456 /dev/zero | tr '\0' 'x' >"$tmp/upload.csv"
req --cacert "$t/ca.crt" -H 'Content-Type: text/csv' \
    --data-binary "@$tmp/upload.csv" "$url/v1/statements"
[ "$code" = 401 ] && ok "a 6 MiB upload without a credential: 401" ||
    bad "unauthenticated upload through nginx" "code=$code"
req --cacert "$t/ca.crt" -H 'Content-Type: text/csv' \
    -H 'Authorization: Bearer ct_not-a-key-0123456789' \
    --data-binary "@$tmp/upload.csv" "$url/v1/orgs/CHO-TT/payers/import"
[ "$code" = 401 ] && ok "a 6 MiB upload with an unknown key: 401" ||
    bad "upload with an unknown key through nginx" "code=$code"

prt=$("$nginx" -T -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" \
    2>/dev/null | sed -n 's/^ *proxy_read_timeout \([0-9]*\)s;/\1/p')
[ -n "$prt" ] && [ "$prt" -gt 60 ] &&
    ok "proxy_read_timeout ${prt}s outlasts the longest poll (60 s)" ||
    bad "proxy_read_timeout" "'$prt'"
grep -q '^ *proxy_buffering off;' "$tmp/site.conf" &&
    ok "proxy_buffering off" || bad "proxy_buffering is on"

# Bodies: above the server's 64 KiB the server answers (JSON 413); above
# nginx's 8 MiB nginx does.
head -c 100000 /dev/zero | tr '\0' 'x' >"$tmp/big"
req --cacert "$t/ca.crt" -H "$auth" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: tls-big-$$" --data-binary "@$tmp/big" \
    "$url/v1/intents"
[ "$code" = 413 ] && printf '%s' "$body" | grep -q '"error"' &&
    ok "100 kB body reaches the server, which answers 413" ||
    bad "100 kB body" "code=$code"
head -c 9000000 /dev/zero >"$tmp/huge"
req --cacert "$t/ca.crt" -H "$auth" --data-binary "@$tmp/huge" \
    "$url/v1/intents"
[ "$code" = 413 ] && ! printf '%s' "$body" | grep -q '"error"' &&
    ok "9 MB body stopped by nginx (413)" || bad "9 MB body" "code=$code"

# Client certificates, optional (as shipped): none is fine, a good one is
# fine, one from another CA is rejected.
req --cacert "$t/ca.crt" --cert "$t/kiosk1.crt" --key "$t/kiosk1.key" \
    -H "$auth" "$url/v1/payers/A-12/dues"
[ "$code" = 200 ] && ok "kiosk client certificate accepted" ||
    bad "client certificate" "code=$code $(cat "$tmp/curl.err")"
req --cacert "$t/ca.crt" --cert "$t/rogue.crt" --key "$t/rogue.key" \
    -H "$auth" "$url/v1/payers/A-12/dues"
[ "$code" = 400 ] && ok "certificate from another CA rejected (400)" ||
    bad "rogue certificate" "code=$code"

# Required for kiosk routes (the commented line enabled).
stop_nginx
if boot required; then
    ok "nginx with client certificates required for kiosk routes"
    url="https://chopay.test:$tls_port"
    pin="--resolve chopay.test:$tls_port:127.0.0.1"
    req --cacert "$t/ca.crt" -H "$auth" "$url/v1/payers/A-12/dues"
    [ "$code" = 403 ] && ok "kiosk route without certificate: 403" ||
        bad "kiosk route without certificate" "code=$code"
    req --cacert "$t/ca.crt" --cert "$t/kiosk1.crt" --key "$t/kiosk1.key" \
        -H "$auth" "$url/v1/payers/A-12/dues"
    [ "$code" = 200 ] && ok "kiosk route with certificate: 200" ||
        bad "kiosk route with certificate" "code=$code"
    req --cacert "$t/ca.crt" "$url/healthz"
    [ "$code" = 200 ] && ok "/healthz needs no certificate" ||
        bad "/healthz with required certificates" "code=$code"
    # The kiosk itself through this nginx (its --ca-file, --client-cert).
    if [ -x "$build/bin/chopay-kiosk" ]; then
        . "$(dirname "$0")/../kiosk/tls_kiosk.sh"
    else
        bad "kiosk through nginx" "$build/bin/chopay-kiosk missing: build it"
    fi
else
    bad "nginx with client certificates required" \
        "$(cat "$tmp/nginx-t.log" "$tmp/error.log" | tail -n 3)"
fi

finish
