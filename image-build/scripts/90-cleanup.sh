#!/bin/sh
# Leave nothing of the build and nothing secret in the image: every card must make its own machine-id, SSH
# host keys, systemd credential secret and (at Balai's first start) its web session secret and village key.
# Runs inside the target root (image-build/customize), last.
set -eu

# With a package cache shared from the build machine (customize's BALAI_APT_CACHE) the downloads went there and
# the tree's own archive folder, underneath, is empty already: cleaning would empty the build machine's cache.
if [ "${BALAI_APT_CACHE_SHARED:-no}" != yes ]; then
    apt-get clean
fi
find /var/lib/apt/lists -mindepth 1 -maxdepth 1 -type f -delete
rm -f /var/cache/debconf/*-old /var/lib/dpkg/*-old

# Empty (not missing) machine-id: systemd makes a new one on the first boot and treats that boot as the first.
: > /etc/machine-id
chmod 0444 /etc/machine-id
if [ -d /var/lib/dbus ]; then
    rm -f /var/lib/dbus/machine-id
    ln -s /etc/machine-id /var/lib/dbus/machine-id
fi
rm -f /var/lib/systemd/random-seed /var/lib/systemd/credential.secret

# SSH host keys are made on each card: Raspberry Pi OS regenerates them on the first boot.
removed_ssh=no
for key in /etc/ssh/ssh_host_*; do
    [ -e "$key" ] || continue
    rm -f "$key"
    removed_ssh=yes
done
if [ "$removed_ssh" = yes ]; then
    if [ -f /lib/systemd/system/regenerate_ssh_host_keys.service ]; then
        systemctl enable --quiet regenerate_ssh_host_keys.service
    else
        echo "90-cleanup: removed SSH host keys; this tree has no regenerate_ssh_host_keys.service:" \
             "run ssh-keygen -A on the first boot" >&2
    fi
fi

# Balai's secrets are made on the device; an image never carries them.
rm -f /var/lib/balai/*.key /var/lib/balai/*.key.*

# Logs and histories of the build.
find /var/log -type f \( -name '*.gz' -o -name '*.[0-9]' -o -name '*.old' \) -delete
find /var/log -type f -exec truncate -s 0 {} +
rm -rf /var/log/journal/*
rm -f /root/.bash_history /root/.python_history /root/.wget-hsts
rm -rf /root/.cache
