#!/bin/sh
# Install the Debian packages Balai needs. Usage: scripts/system-deps.sh run|test
#   run : python3-venv, espeak-ng (spoken calls), fonts for tickets and letters, cups-client (lp, lpstat:
#         letters go to the office printer through CUPS)
#   test: the above plus Debian's chromium for the browser tests, and a CUPS server with the cups-pdf
#         backend (cups-daemon: cupsd; cups-client: lpadmin; printer-driver-cups-pdf) that the printing
#         tests start privately as a child process, and postgresql (postgresql-<N>: initdb, postgres,
#         pg_isready; postgresql-common: the `postgres` user) whose server the hub's sync tests start
#         privately as a child process (tests/support/postgres.py); the package's own `main` cluster is
#         not used, and in a container the policy-rc.d below keeps it from starting; systemd
#         (systemd-analyze verify for the unit files), curl (the kiosk unit's health wait) and libxcursor1
#         (reads back the kiosk's invisible cursor theme), gcc + libc6-dev (builds the power-loss shim of
#         tests/fault), debootstrap (tests/image builds a bookworm tree and runs image-build/customize into
#         it; needs root) and shellcheck (checks the image-build scripts)
# Runs apt-get only as root or through sudo; otherwise says what is missing and carries on
# (except under CI=true, where a missing tool is a failure, never a skip).
set -eu
kind="${1:-run}"
packages="python3-venv espeak-ng fonts-dejavu-core fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 cups-client"
if [ "$kind" = "test" ]; then
    packages="$packages chromium cups-daemon printer-driver-cups-pdf postgresql systemd curl libxcursor1 gcc libc6-dev debootstrap shellcheck"
fi
missing=""
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
# python3-venv is only needed when python3 has no working venv module of its own.
if python3 -c "import ensurepip, venv" 2>/dev/null; then
    missing=$(echo "$missing" | sed 's/ python3-venv//')
fi
[ -z "$(echo "$missing" | tr -d ' ')" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "balai: please install:$missing" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "balai: not root and no sudo; please install:$missing" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
fi
echo "balai: installing$missing"
# In a container without systemd a package's postinst must not try to start cupsd: a policy-rc.d that
# says "no" (exit 101) makes invoke-rc.d skip it. Only ours is removed again; an existing one is kept.
policy=/usr/sbin/policy-rc.d
if [ ! -d /run/systemd/system ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
