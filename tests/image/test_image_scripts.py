"""The image build's scripts without building anything (fast): each numbered script has the shape customize
expects, shellcheck finds nothing in any of them, and the files copied into the image are valid (the settings
file loads with Balai's own loader, the avahi service file is XML). The real build: test_image_build.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kiosk.settings import load_settings
from tests.support.wheelhouse import PROJECT_ROOT

IMAGE_BUILD = PROJECT_ROOT / "image-build"
HOST_TOOLS = [IMAGE_BUILD / name for name in ("customize", "build-image", "build-wheels")]
SCRIPTS = sorted((IMAGE_BUILD / "scripts").iterdir())


def test_numbered_scripts_have_the_expected_shape() -> None:
    assert SCRIPTS, "no scripts in image-build/scripts"
    numbers = []
    for script in SCRIPTS:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+\.sh", script.name), f"{script.name}: expected NN-name.sh"
        numbers.append(script.name[:2])
        lines = script.read_text().splitlines()
        assert lines[0] == "#!/bin/sh", script.name
        assert "set -eu" in lines, f"{script.name}: no 'set -eu'"
    assert len(set(numbers)) == len(numbers), "two scripts share a number: their order would be unclear"


def test_host_tools_are_executable_sh_scripts() -> None:
    for tool in HOST_TOOLS:
        assert os.access(tool, os.X_OK), f"{tool.name} is not executable"
        text = tool.read_text()
        assert text.startswith("#!/bin/sh\n") and "\nset -eu\n" in text, tool.name


def test_shellcheck_finds_nothing() -> None:
    shellcheck = shutil.which("shellcheck")
    if not shellcheck:
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail("shellcheck is missing (CI=true: scripts/system-deps.sh test installs it)", pytrace=False)
        pytest.skip("shellcheck is not installed (scripts/system-deps.sh test)")
    files = [str(path) for path in HOST_TOOLS + SCRIPTS]
    result = subprocess.run([shellcheck, "--shell=sh", "--severity=style", *files], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_settings_file_loads_with_balais_loader() -> None:
    settings = load_settings(config_file=IMAGE_BUILD / "files/etc/balai/balai.toml", environ={})
    assert settings.data_dir == Path("/var/lib/balai")
    assert settings.port == 8080


def test_avahi_service_file_is_valid_xml() -> None:
    root = ElementTree.parse(IMAGE_BUILD / "files/etc/avahi/services/balai.service").getroot()
    assert root.findtext("service/type") == "_http._tcp"
    assert root.findtext("service/port") == "8080"


def test_kiosk_browser_policy_locks_the_public_screen_down() -> None:
    """A USB keyboard in the waiting room must not open DevTools, other sites, files or a resident's autofill."""
    policy = json.loads((IMAGE_BUILD / "files/etc/chromium/policies/managed/balai-kiosk.json").read_text())
    assert policy["DeveloperToolsAvailability"] == 2
    assert policy["URLBlocklist"] == ["*"]
    assert policy["DownloadRestrictions"] == 3
    assert policy["AllowFileSelectionDialogs"] is False
    assert policy["IncognitoModeAvailability"] == 1
    for remembered in ("PasswordManagerEnabled", "AutofillAddressEnabled", "AutofillCreditCardEnabled"):
        assert policy[remembered] is False
    for outbound in ("SearchSuggestEnabled", "TranslateEnabled", "MetricsReportingEnabled"):
        assert policy[outbound] is False
    unit = (PROJECT_ROOT / "systemd/balai-kiosk.service").read_text()
    for name in ("BALAI_KIOSK_URL", "BALAI_HEALTH_URL"):
        url = re.search(rf"Environment={name}=(\S+)", unit)
        assert url, name
        host = urlsplit(url.group(1))
        assert f"{host.scheme}://{host.hostname}" in policy["URLAllowlist"], url.group(1)


def test_system_deps_installs_what_the_image_test_needs() -> None:
    text = (PROJECT_ROOT / "scripts/system-deps.sh").read_text()
    test_packages = re.search(r'if \[ "\$kind" = "test" \]; then\n\s*packages="([^"]*)"', text)
    assert test_packages, "scripts/system-deps.sh: no test package list"
    assert {"debootstrap", "shellcheck"} <= set(test_packages.group(1).split())
