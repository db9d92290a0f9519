#!/bin/sh
# The two system users (docs/appliance.md): `balai` runs the server, sync and backups and owns /var/lib/balai
# (groups lp and dialout: USB and serial printers); `balai-kiosk` runs only the kiosk browser (groups video,
# render, input, audio: the screen, the GPU, the touch panel, the sound card) and cannot read office data.
# Runs inside the target root (image-build/customize); a user that exists already only gets its groups checked.
set -eu

ensure_group() {
    if ! getent group "$1" >/dev/null; then
        echo "20-users: adding missing group $1"
        groupadd --system "$1"
    fi
}

# ensure_user NAME HOME GROUPS(comma-separated) COMMENT
ensure_user() {
    for group in $(echo "$3" | tr ',' ' '); do
        ensure_group "$group"
    done
    if getent passwd "$1" >/dev/null; then
        usermod --append --groups "$3" "$1"
    else
        echo "20-users: adding system user $1 (groups $3)"
        useradd --system --user-group --home-dir "$2" --no-create-home --shell /usr/sbin/nologin \
            --comment "$4" --groups "$3" "$1"
    fi
}

ensure_user balai /var/lib/balai lp,dialout "Balai office server"
ensure_user balai-kiosk /run/balai-kiosk video,render,input,audio "Balai kiosk screen"

# The office data folder. systemd's StateDirectory= would make it too; here it exists (empty) from the start, so
# `balai` commands run by hand find it. Nothing is in it: the server makes its keys at its first start.
install -d -o balai -g balai -m 0700 /var/lib/balai
