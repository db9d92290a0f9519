#!/bin/sh
# Debian packages of the appliance. Runs inside the target root (image-build/customize). Most are already part
# of Raspberry Pi OS Lite (then apt has nothing to do); the list also makes a bare Debian tree (the tests'
# debootstrap) complete enough to run Balai.
set -eu

# Balai itself: Python with venv, the spoken call, fonts for tickets and letters, the PDF renderer's Pango,
# lp/lpstat for the office printer (CUPS), libusb for USB thermal printers.
packages="python3 python3-venv espeak-ng fonts-dejavu-core fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0
cups-client libusb-1.0-0 ca-certificates tzdata"
# The appliance around it: systemd units, udev rule, logind sessions (the kiosk), mDNS, the kiosk's health wait.
packages="$packages systemd systemd-sysv udev dbus libpam-systemd avahi-daemon curl"

apt-get update -q

has_candidate() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -qv '(none)'
}

if [ "${BALAI_IMAGE_KIOSK:-yes}" = "yes" ]; then
    # Debian calls the browser chromium; Raspberry Pi OS has also shipped it as chromium-browser.
    browser=""
    for candidate in chromium chromium-browser; do
        if has_candidate "$candidate"; then
            browser=$candidate
            break
        fi
    done
    if [ -z "$browser" ]; then
        echo "10-packages: apt knows neither chromium nor chromium-browser" >&2
        exit 1
    fi
    packages="$packages cage $browser"
fi

# shellcheck disable=SC2086  # one package a word
set -- $packages
echo "10-packages: making sure these $# packages are installed: $*"
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "$@"
