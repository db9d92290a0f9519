#!/bin/sh
# Every file of the repository's systemd/ folder in its place (see docs/appliance.md), then every unit that has
# an [Install] section enabled -- found by reading the files, so a unit added to systemd/ is enabled without
# touching this script. balai-kiosk.service only in the kiosk variant. Also avahi-daemon (mDNS: balai.local).
# Runs inside the target root (image-build/customize).
set -eu
umask 022

src="$BALAI_BUILD/systemd"
kiosk="${BALAI_IMAGE_KIOSK:-yes}"
units=""

mkdir -p /etc/systemd/system /etc/udev/rules.d /etc/systemd/journald.conf.d /usr/local/bin
for path in "$src"/*; do
    name=$(basename "$path")
    case "$name" in
        *.service|*.timer|*.path|*.socket|*.target|*.mount)
            install -m 0644 "$path" "/etc/systemd/system/$name"
            units="$units $name" ;;
        *.service.d|*.timer.d|*.path.d|*.socket.d)
            # Drop-ins for a unit (ours or the system's).
            install -d -m 0755 "/etc/systemd/system/$name"
            for conf in "$path"/*.conf; do
                if [ -f "$conf" ]; then install -m 0644 "$conf" "/etc/systemd/system/$name/"; fi
            done ;;
        *.rules)
            install -m 0644 "$path" "/etc/udev/rules.d/$name" ;;
        journald.conf.d)
            for conf in "$path"/*.conf; do
                if [ -f "$conf" ]; then install -m 0644 "$conf" /etc/systemd/journald.conf.d/; fi
            done ;;
        *)
            if [ -f "$path" ] && [ -x "$path" ]; then
                # Helper programs the units run (balai-kiosk-session, ...).
                install -m 0755 "$path" "/usr/local/bin/$name"
            else
                echo "50-units: do not know where systemd/$name goes: teach image-build/scripts/50-units.sh" >&2
                exit 1
            fi ;;
    esac
done

# Enable what declares how (an [Install] section); templates (name@.service) need an instance and are left.
# A preset file records the same choices, so `systemctl preset` (and systemd's presets on the first boot of
# a card with an empty machine-id) agree with the image.
preset=/etc/systemd/system-preset/20-balai.preset
mkdir -p /etc/systemd/system-preset
echo "# Written by image-build/scripts/50-units.sh: Balai's units as the image enables them." > "$preset.new"
for name in $units; do
    case "$name" in
        *@.*) continue ;;
    esac
    grep -q '^\[Install\]' "/etc/systemd/system/$name" || continue
    if [ "$name" = balai-kiosk.service ] && [ "$kiosk" != yes ]; then
        echo "50-units: LAN-only variant: $name stays disabled"
        systemctl disable --quiet "$name"
        echo "disable $name" >> "$preset.new"
        continue
    fi
    echo "50-units: enabling $name"
    systemctl enable --quiet "$name"
    echo "enable $name" >> "$preset.new"
done
echo "enable avahi-daemon.service" >> "$preset.new"
mv "$preset.new" "$preset"
chmod 0644 "$preset"
systemctl enable --quiet avahi-daemon.service
