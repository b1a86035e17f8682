#!/usr/bin/env bash
# Runs inside `dbus-run-session`: a fresh gnome-keyring of its own, then the Rust tests (with a
# throwaway PostgreSQL cluster for the shared store's, from pg_virtualenv) and the desktop
# end-to-end test (with one of its own: its windows on a shared store), then the installed
# package.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# The default keyring is a plain (unencrypted) file in the fresh XDG_DATA_HOME: it needs no
# password, so the daemon the session bus starts on first use serves it, and so does the one it
# starts again if gnome-keyring aborts (it can, under many concurrent clients). With a password
# (`gnome-keyring-daemon --unlock`) a restarted daemon finds the keyring locked and prompts,
# which fails without a display. Nothing here is a real secret.
: "${XDG_DATA_HOME:?a fresh XDG_DATA_HOME}"
mkdir -p -m 700 "$XDG_DATA_HOME/keyrings"
printf '%s' paydesk-test > "$XDG_DATA_HOME/keyrings/default"
printf '[keyring]\ndisplay-name=paydesk-test\nctime=0\nmtime=0\nlock-on-idle=false\nlock-timeout=0\n' \
  > "$XDG_DATA_HOME/keyrings/paydesk-test.keyring"
chmod 600 "$XDG_DATA_HOME/keyrings/paydesk-test.keyring"
# The tests may kill this session's Secret Service daemon (tests/keyring.rs).
export PAYDESK_TEST_PRIVATE_KEYRING=1

PAYDESK_TEST_POSTGRES=1 pg_virtualenv cargo test --workspace --locked

# The README's two desks and a support login on a throwaway server, without windows.
bash scripts/shared-desks.sh --check

PAYDESK_TEST_POSTGRES=1 pg_virtualenv node tests/e2e/run.mjs

# The .deb installed with apt-get and run: --version, a CLI payment, a payment in its window.
bash scripts/package-check.sh
