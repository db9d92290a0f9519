#!/bin/sh
# Host name (balai, so the office finds http://balai.local; first boot's balai.toml may rename it), its
# /etc/hosts line, and the kernel command line: the text console never blanks (docs/appliance.md).
# Runs inside the target root (image-build/customize).
set -eu

name="${BALAI_HOSTNAME:-balai}"
# The same rule as first boot's [system] hostname (kiosk/firstboot.py).
if ! echo "$name" | grep -Eqx '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?'; then
    echo "60-hostname-boot: BALAI_HOSTNAME '$name': small letters, digits and '-' only" >&2
    exit 1
fi
echo "$name" > /etc/hostname

# Debian and Raspberry Pi OS name the machine on 127.0.1.1: replace that line, or add one.
if [ ! -f /etc/hosts ]; then
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > /etc/hosts
fi
if grep -q '^127\.0\.1\.1[[:space:]]' /etc/hosts; then
    sed -i "s/^127\.0\.1\.1[[:space:]].*/127.0.1.1\t$name/" /etc/hosts
else
    printf '127.0.1.1\t%s\n' "$name" >> /etc/hosts
fi

# cmdline.txt is one line; add consoleblank=0 once.
cmdline=/boot/firmware/cmdline.txt
if [ -f "$cmdline" ]; then
    if ! grep -q 'consoleblank=' "$cmdline"; then
        sed -i '1 s/[[:space:]]*$/ consoleblank=0/' "$cmdline"
    fi
else
    echo "60-hostname-boot: no $cmdline in this tree (not a Raspberry Pi OS image): kernel command line left alone"
fi
