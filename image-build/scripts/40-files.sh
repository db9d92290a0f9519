#!/bin/sh
# The image's own files (image-build/files/, copied as they are into the root), the update signing keys and
# Balai's documentation (the units' Documentation= links). Runs inside the target root (image-build/customize).
set -eu
umask 022

files="$BALAI_BUILD/files"

# /boot/firmware is the FAT boot partition on a Raspberry Pi OS image: plain copies, no owners or modes kept.
mkdir -p /boot/firmware
cp -R "$files/." /

# /etc/balai/balai.toml: the appliance defaults, root's file that the balai user reads (first boot merges the
# district's [settings] into it).
chmod 0755 /etc/balai
chmod 0644 /etc/balai/balai.toml
chmod 0644 /etc/avahi/services/balai.service
# The kiosk browser's managed policy (no DevTools, only pages of this Pi, no downloads, no file dialogs, no
# autofill of what residents type): root's, read by Chromium at start.
chmod 0755 /etc/chromium /etc/chromium/policies /etc/chromium/policies/managed
chmod 0644 /etc/chromium/policies/managed/balai-kiosk.json

# Update signing keys (BALAI_UPDATE_KEYS on the build machine): public keys only, readable by everyone. When
# keys are given, the folder holds exactly those; without, keys already in the tree stay.
install -d -m 0755 /etc/balai/update-keys
if [ -d "$BALAI_BUILD/update-keys" ]; then
    find /etc/balai/update-keys -maxdepth 1 -name '*.pub' -type f -delete
    for key in "$BALAI_BUILD"/update-keys/*.pub; do
        [ -f "$key" ] || continue
        echo "40-files: update key $(basename "$key")"
        install -m 0644 "$key" /etc/balai/update-keys/
    done
fi

# The documentation the units point at (file:///opt/balai/docs/...).
if [ -d "$BALAI_BUILD/docs" ]; then
    rm -rf /opt/balai/docs
    mkdir -p /opt/balai
    cp -R "$BALAI_BUILD/docs" /opt/balai/docs
fi
