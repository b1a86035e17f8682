#!/usr/bin/env bash
# Two desks and a support agent's window sharing one history, on a throwaway PostgreSQL server
# on this machine: the README's "A shared history" section, done for you.
#
#   scripts/shared-desks.sh           start the server, set up the roles (the README's SQL),
#                                     connect three data directories, add a gateway profile
#                                     on a local sandbox and a few orders, open the windows;
#                                     everything is removed when the windows are closed
#   scripts/shared-desks.sh --check   the same without windows: a payment at one desk is seen
#                                     at the other and found by the support login, which may
#                                     not pay (the test command runs this)
#
# Needs PostgreSQL's server programs (Debian: postgresql), a built paydesk (PAYDESK, else
# target/release/paydesk or target/debug/paydesk) and an unlocked keyring for the passwords.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
check=0
[ "${1:-}" = "--check" ] && check=1

PAYDESK="${PAYDESK:-}"
for candidate in "$ROOT/target/release/paydesk" "$ROOT/target/debug/paydesk"; do
  [ -n "$PAYDESK" ] || { [ -x "$candidate" ] && PAYDESK="$candidate"; }
done
[ -n "$PAYDESK" ] || { echo "shared-desks: build paydesk first (cargo build)" >&2; exit 1; }
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PGBIN/initdb" ] || { echo "shared-desks: PostgreSQL's server programs are missing (apt-get install postgresql)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/paydesk-shared-XXXXXX")"
chmod 0755 "$WORK"
# initdb refuses root: as root, the server runs as the postgres user.
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# The first port from `from` that nothing answers on.
free_port() {
  local p
  for p in $(seq "$1" 55532); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
PORT="$(free_port 55432)" || { echo "shared-desks: no free port" >&2; exit 1; }

DESKS=("$WORK/desk-1" "$WORK/desk-2" "$WORK/support")
SANDBOX_PID=""
cleanup() {
  for dir in "${DESKS[@]}"; do
    # Forgets the address and takes the password out of the keyring.
    [ -d "$dir" ] && PAYDESK_DATA_DIR="$dir" "$PAYDESK" store disconnect >/dev/null 2>&1 || true
  done
  [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null || true
  as_server "$PGBIN/pg_ctl" -D "$WORK/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== a throwaway PostgreSQL server on 127.0.0.1:$PORT"
mkdir -m 0700 "$WORK/db"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/db"
printf %s superuser-password > "$WORK/superuser-password"
chmod 0644 "$WORK/superuser-password"
as_server "$PGBIN/initdb" -D "$WORK/db" -U postgres --auth=scram-sha-256 \
  --pwfile="$WORK/superuser-password" >/dev/null
start_server() {
  as_server "$PGBIN/pg_ctl" -D "$WORK/db" -l "$WORK/db/server.log" -w \
    -o "-p $PORT -k $WORK/db -c listen_addresses=127.0.0.1" start >/dev/null
}
if ! start_server; then
  # Said with its reason; then once more on the next free port (another process may have
  # taken this one between the scan and the start).
  echo "shared-desks: the server did not start on port $PORT:" >&2
  tail -n 20 "$WORK/db/server.log" >&2 || true
  PORT="$(free_port $((PORT + 1)))" || { echo "shared-desks: no free port" >&2; exit 1; }
  echo "== trying port $PORT"
  start_server
fi

# The README's SQL, block by block, exactly as it is written there.
readme_sql() {
  awk -v marker="-- $1" '$0 == marker { on = 1 } on && /^```/ { exit } on { print }' "$ROOT/README.md"
}
psql_as() {
  local user="$1" password="$2" database="$3"
  PGPASSWORD="$password" "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U "$user" -d "$database" \
    -v ON_ERROR_STOP=1 -q
}
readme_sql "paydesk roles: as a superuser" | psql_as postgres superuser-password postgres

at() { local dir="$1"; shift; PAYDESK_DATA_DIR="$dir" "$PAYDESK" "$@"; }
url() { echo "postgres://$1@127.0.0.1:$PORT/paydesk"; }
mkdir -m 0700 "${DESKS[@]}"

echo "== the owner creates the schema (from desk 1's directory), then grants the roles"
printf %s owner-password | at "${DESKS[0]}" store connect "$(url paydesk_owner)" >/dev/null
at "${DESKS[0]}" store disconnect >/dev/null
readme_sql "paydesk grants: as paydesk_owner, in its database" |
  psql_as paydesk_owner owner-password paydesk

echo "== two desks as desk_1, the support window as agent_1"
printf %s desk-password | at "${DESKS[0]}" --desk "Desk 1" store connect "$(url desk_1)"
printf %s desk-password | at "${DESKS[1]}" --desk "Desk 2" store connect "$(url desk_1)"
printf %s support-password | at "${DESKS[2]}" --desk "Support" store connect "$(url agent_1)"

echo "== a SenseCore profile on a local sandbox, and a few orders"
"$PAYDESK" sandbox --listen 127.0.0.1:0 > "$WORK/sandbox.jsonl" 2>/dev/null &
SANDBOX_PID=$!
for _ in $(seq 100); do grep -q '"gateway":"debit"' "$WORK/sandbox.jsonl" 2>/dev/null && break; sleep 0.1; done
listing="$(grep '"gateway":"sensecore"' "$WORK/sandbox.jsonl")"
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$listing"; }
at "${DESKS[0]}" profile add shop --gateway sensecore --base-url "$(field base_url)" \
  --set "billing_account_id=$(field billing_account_id)"
printf '%s\n' "$(field token)" | at "${DESKS[0]}" secret set shop token
for n in 1 2 3; do
  at "${DESKS[0]}" order add --profile shop --order-no "SHOP-100$n" --amount "1$n.50" \
    --subject "Tea, pot $n" >/dev/null
done

if [ "$check" = 1 ]; then
  echo "== check: pay at desk 2, see it at desk 1, find it from the support login"
  at "${DESKS[1]}" --desk "Desk 2" pay SHOP-1001 --channel balance
  at "${DESKS[0]}" status SHOP-1001 --json | grep -q '"state":"succeeded"'
  at "${DESKS[0]}" status SHOP-1001 --json | grep -q '"desk":"Desk 2"'
  at "${DESKS[2]}" status SHOP-1001 --json | grep -q '"state":"succeeded"'
  if at "${DESKS[2]}" pay SHOP-1002 --channel balance 2>"$WORK/refused"; then
    echo "shared-desks: the support login paid" >&2
    exit 1
  fi
  grep -q "may only read" "$WORK/refused"
  echo "shared-desks: two desks and a support login share one history"
  exit 0
fi

echo "== the windows: pay SHOP-1001 at Desk 1, watch it at Desk 2, look it up as Support"
windows=()
at "${DESKS[0]}" --desk "Desk 1" & windows+=($!)
at "${DESKS[1]}" --desk "Desk 2" & windows+=($!)
at "${DESKS[2]}" --desk "Support" & windows+=($!)
wait "${windows[@]}" || true
