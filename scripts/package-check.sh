#!/usr/bin/env bash
# Installs the .deb the tests' build was bundled into (scripts/test.sh), as a merchant would
# (`apt-get install ./paydesk_….deb`), and runs what was installed: `paydesk --version`, a
# payment at its command line against its own `paydesk sandbox`, and a payment in its window
# (one desktop end-to-end test). Removes the package again, whatever happened. Runs inside the
# keyring session (scripts/in-keyring-session.sh), as root or with sudo.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

debs=(target/debug/bundle/deb/paydesk_*_amd64.deb)
[ -f "${debs[0]}" ] || { echo "package-check: no .deb in target/debug/bundle/deb: bundle one first" >&2; exit 1; }
version="$(cargo metadata --no-deps --format-version 1 --locked \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="paydesk").version))')"

if dpkg-query -W -f='${Status}' paydesk 2>/dev/null | grep -q "install ok installed"; then
  echo "package-check: paydesk is installed already; not touching it" >&2
  exit 1
fi
trap 'as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq paydesk >/dev/null' EXIT
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./${debs[0]}" >/dev/null

installed="$(command -v paydesk)"
[ "$installed" = /usr/bin/paydesk ] || { echo "package-check: paydesk is at $installed, not /usr/bin" >&2; exit 1; }
said="$(paydesk --version)"
case "$said" in
  "paydesk $version"*) echo "package-check: $said" ;;
  *) echo "package-check: --version says '$said', not paydesk $version" >&2; exit 1 ;;
esac
[ -f /usr/share/applications/paydesk.desktop ] && [ -f /usr/share/doc/paydesk/LICENSE ]

node tests/package/cli-payment.mjs /usr/bin/paydesk
PAYDESK_BIN=/usr/bin/paydesk node --test --test-concurrency=1 \
  --test-name-pattern="a person pays a demo order by clicking" tests/e2e/desktop.test.mjs
echo "package-check: the installed package pays at its command line and in its window"
