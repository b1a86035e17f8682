#!/usr/bin/env bash
# Proves the .deb declares what it needs: installs it into a minimal Debian (debootstrap
# minbase, the release and mirror this machine's apt uses, nothing else installed) with
# `apt-get install ./paydesk_….deb` and no recommendations, then runs `paydesk --version` there
# (every library the binary links must then be present), its gateway emulators (`paydesk
# sandbox`, which must answer with its five gateways) and its window on a virtual display. Usage:
# scripts/package-bare-debian.sh [DEB] (default: the test build's, target/debug/bundle/deb).
# Needs root.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
deb="${1:-$(ls target/debug/bundle/deb/paydesk_*_amd64.deb | head -1)}"
[ -f "$deb" ] || { echo "package-bare-debian: no .deb (bundle one first)" >&2; exit 1; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null

# The release and mirror this machine's apt already reaches.
. /etc/os-release
mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
  || true)"
[ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $3 == "'"$VERSION_CODENAME"'" {print $2; exit}' /etc/apt/sources.list)"
root="$(mktemp -d /tmp/paydesk-bare-debian.XXXXXX)"
cleanup() {
  for m in proc dev/pts dev; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT

started=$SECONDS
debootstrap --variant=minbase "$VERSION_CODENAME" "$root" "$mirror" >/dev/null
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cp "$deb" "$root/tmp/paydesk.deb"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  /tmp/paydesk.deb >/dev/null
said="$(chroot "$root" paydesk --version)"
gateways="$(chroot "$root" timeout 10 paydesk sandbox 2>/dev/null | head -5 | grep -c '"base_url"' || true)"
[ "$gateways" = 5 ] || { echo "package-bare-debian: paydesk sandbox listed $gateways gateways, not 5" >&2; exit 1; }
# The window, on a virtual display (Xvfb, installed for this check only, as a desktop would
# provide one): the console opens its demo, and its page speaks to the back end (it tells the
# back end its language, which the log records).
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  xvfb xauth >/dev/null
chroot "$root" env HOME=/root PAYDESK_DATA_DIR=/tmp/paydesk-data \
  DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
  timeout 40 xvfb-run -a sh -c 'paydesk --demo & pid=$!;
    for i in $(seq 60); do grep -q "the window.s language" /tmp/paydesk-data/paydesk.log 2>/dev/null && break; sleep 0.5; done;
    kill $pid' >/dev/null 2>&1 || true
if ! grep -q "the window's language" "$root/tmp/paydesk-data/paydesk.log" 2>/dev/null; then
  echo "package-bare-debian: the installed window did not come up; its log:" >&2
  cat "$root/tmp/paydesk-data/paydesk.log" >&2 2>/dev/null || true
  exit 1
fi
echo "package-bare-debian: on a bare Debian $VERSION_CODENAME, '$said', its sandbox serves 5 gateways and its window opens the demo ($((SECONDS - started)) s)"
