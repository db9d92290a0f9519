#!/bin/sh
# Balai in its own virtual environment, from the wheels staged by image-build/customize (no index, no network):
#   /opt/balai/releases/<version>/   one venv per release (made with this tree's python3 -m venv)
#   /opt/balai/venv -> releases/<version>   what the units run; an update swaps this link, a rollback swaps back
#   /usr/local/bin/balai -> /opt/balai/venv/bin/balai
# A release that is already installed from the same wheel is left as it is. Runs inside the target root.
set -eu
umask 022

wheels="$BALAI_BUILD/wheels"
set -- "$wheels"/balai-*.whl
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "30-venv: expected exactly one balai-*.whl in $wheels" >&2
    exit 1
fi
wheel=$1
# Wheel names are NAME-VERSION-TAGS.whl, and a version never contains '-'.
version=$(basename "$wheel" | sed -n 's/^balai-\([^-]*\)-.*\.whl$/\1/p')
if [ -z "$version" ]; then
    echo "30-venv: cannot read the version from $(basename "$wheel")" >&2
    exit 1
fi
release="/opt/balai/releases/$version"
stamp="$release/.balai-wheel.sha256"
wanted=$(sha256sum "$wheel" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] \
    && [ "$("$release/bin/balai" --version 2>/dev/null)" = "balai $version" ]; then
    echo "30-venv: balai $version is already installed in $release"
else
    echo "30-venv: installing balai $version into $release"
    # A venv cannot be moved (its scripts name their own path): build it in place, stamp it when complete.
    rm -rf "$release"
    mkdir -p /opt/balai/releases
    python3 -m venv "$release"
    "$release/bin/pip" install --quiet --no-index --find-links "$wheels" --no-cache-dir \
        --disable-pip-version-check --no-warn-script-location "balai[usb]==$version"
    got=$("$release/bin/balai" --version)
    if [ "$got" != "balai $version" ]; then
        echo "30-venv: $release/bin/balai --version says '$got', expected 'balai $version'" >&2
        exit 1
    fi
    echo "$wanted" > "$stamp"
fi

if [ -d /opt/balai/venv ] && [ ! -L /opt/balai/venv ]; then
    echo "30-venv: /opt/balai/venv is a folder, not the release link (an older hand install?): move it away" >&2
    exit 1
fi
# Point the current release at it: a new link renamed over the old one, so the switch is atomic.
ln -sfn "releases/$version" /opt/balai/venv.new
mv -T /opt/balai/venv.new /opt/balai/venv
ln -sfn /opt/balai/venv/bin/balai /usr/local/bin/balai
echo "30-venv: /opt/balai/venv -> releases/$version; $(/usr/local/bin/balai --version)"
