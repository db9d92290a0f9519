"""Update bundles: what a USB stick may carry, and every way a crafted or damaged one is refused.

The wheels here are stand-in bytes (the format does not look inside them); installing real wheels is proven in
tests/system/test_update_apply.py.
"""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from kiosk.services import update_bundle
from kiosk.services.errors import ServiceError
from kiosk.services.update_bundle import (extract_wheels, generate_key, load_private_key, pack, read_manifest,
                                          trusted_keys)
from kiosk.services.update_install import Installer, Layout
from kiosk.settings import load_settings


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A publisher key pair; the public half in a trusted-keys folder."""
    folder = tmp_path / "trusted"
    folder.mkdir()
    generate_key(tmp_path / "release.key", folder / "release.pub")
    return tmp_path / "release.key", folder


def _wheels(folder: Path, version: str = "0.2.0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"balai-{version}-py3-none-any.whl").write_bytes(os.urandom(3000))
    (folder / "peewee-3.17.0-py3-none-any.whl").write_bytes(os.urandom(2000))
    return folder


def _bundle(tmp_path: Path, private: Path, version: str = "0.2.0", notes: str = "") -> Path:
    out = tmp_path / f"balai-update-{version}.tar"
    pack(_wheels(tmp_path / f"wheels-{version}", version), load_private_key(private), out, notes)
    return out


def _rewrite(source: Path, target: Path, change) -> Path:  # noqa: ANN001 - change(name, data) -> list of (info, data)
    """Copy a bundle member by member through `change`, which may alter, drop or add members."""
    with tarfile.open(source) as original, tarfile.open(target, "w") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read() if member.isreg() else b""
            for info, payload in change(member, data):
                copy.addfile(info, io.BytesIO(payload) if info.isreg() else None)
    return target


def _refusal(call) -> str:  # noqa: ANN001
    with pytest.raises(ServiceError) as refused:
        call()
    return refused.value.key


def test_a_signed_bundle_reads_back_with_its_version_notes_and_key(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    private, trusted = keys
    bundle = _bundle(tmp_path, private, notes="Perbaikan <b>antrean</b>")
    manifest = read_manifest(bundle, trusted_keys(trusted))
    assert manifest.version == "0.2.0" and manifest.notes == "Perbaikan <b>antrean</b>"
    assert manifest.key_id == next(iter(trusted_keys(trusted)))
    written = extract_wheels(bundle, manifest, tmp_path / "staging")
    assert sorted(p.name for p in written) == ["balai-0.2.0-py3-none-any.whl", "peewee-3.17.0-py3-none-any.whl"]
    assert (tmp_path / "staging" / "balai-0.2.0-py3-none-any.whl").read_bytes() == \
        (tmp_path / "wheels-0.2.0" / "balai-0.2.0-py3-none-any.whl").read_bytes()


def test_signature_checks(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    private, trusted = keys
    bundle = _bundle(tmp_path, private)
    assert _refusal(lambda: read_manifest(bundle, {})) == "update.no_trusted_keys"
    other = tmp_path / "other"
    other.mkdir()
    generate_key(tmp_path / "other.key", other / "other.pub")
    (other / "broken.pub").write_text("not a key")  # skipped, not fatal
    assert _refusal(lambda: read_manifest(bundle, trusted_keys(other))) == "update.signature_invalid"
    assert read_manifest(bundle, {**trusted_keys(other), **trusted_keys(trusted)}).version == "0.2.0"

    def newer_version(member: tarfile.TarInfo, data: bytes):  # noqa: ANN202
        if member.name == "manifest.json":
            data = data.replace(b'"version": "0.2.0"', b'"version": "9.0.0"')
            member.size = len(data)
        return [(member, data)]

    forged = _rewrite(bundle, tmp_path / "forged.tar", newer_version)
    assert _refusal(lambda: read_manifest(forged, trusted_keys(trusted))) == "update.signature_invalid"


def test_wheels_must_be_exactly_the_signed_ones(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    private, trusted = keys
    bundle = _bundle(tmp_path, private)
    manifest = read_manifest(bundle, trusted_keys(trusted))

    def swap_bytes(member: tarfile.TarInfo, data: bytes):  # noqa: ANN202
        return [(member, os.urandom(len(data)) if member.name.startswith("wheels/balai-") else data)]

    def extra_wheel(member: tarfile.TarInfo, data: bytes):  # noqa: ANN202
        out = [(member, data)]
        if member.name == "manifest.sig":
            evil = tarfile.TarInfo("wheels/evil-1.0-py3-none-any.whl")
            evil.size = 10
            out.append((evil, b"0123456789"))
        return out

    def drop_wheel(member: tarfile.TarInfo, data: bytes):  # noqa: ANN202
        return [] if member.name.startswith("wheels/peewee-") else [(member, data)]

    for name, change in (("swap", swap_bytes), ("extra", extra_wheel), ("drop", drop_wheel)):
        changed = _rewrite(bundle, tmp_path / f"{name}.tar", change)
        assert read_manifest(changed, trusted_keys(trusted)).version == "0.2.0"  # the signature still holds …
        staging = tmp_path / f"staging-{name}"
        assert _refusal(lambda: extract_wheels(changed, manifest, staging)) == "update.bundle_tampered", name


@pytest.mark.parametrize("name", ["../evil.whl", "wheels/../../etc/cron.d/x.whl", "/abs.whl", "wheels/sub/x.whl",
                                  "wheels/evil.php", "wheels/evil.whl.phtml"])
def test_members_outside_the_strict_list_are_refused(tmp_path: Path, keys: tuple[Path, Path], name: str) -> None:
    private, trusted = keys
    bundle = _bundle(tmp_path, private)

    def add(member: tarfile.TarInfo, data: bytes):  # noqa: ANN202
        out = [(member, data)]
        if member.name == "manifest.json":
            evil = tarfile.TarInfo(name)
            evil.size = 4
            out.append((evil, b"evil"))
        return out

    changed = _rewrite(bundle, tmp_path / "changed.tar", add)
    assert _refusal(lambda: read_manifest(changed, trusted_keys(trusted))) == "update.bundle_invalid"
    assert not (tmp_path / "evil.whl").exists()


def test_links_and_duplicates_are_refused(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    private, trusted = keys
    bundle = _bundle(tmp_path, private)

    def link(member: tarfile.TarInfo, data: bytes):  # noqa: ANN202
        if member.name.startswith("wheels/peewee-"):
            symlink = tarfile.TarInfo(member.name)
            symlink.type, symlink.linkname = tarfile.SYMTYPE, "/etc/shadow"
            return [(symlink, b"")]
        return [(member, data)]

    def duplicate(member: tarfile.TarInfo, data: bytes):  # noqa: ANN202
        return [(member, data), (member, data)] if member.name == "manifest.json" else [(member, data)]

    for change in (link, duplicate):
        changed = _rewrite(bundle, tmp_path / f"{change.__name__}.tar", change)
        assert _refusal(lambda: read_manifest(changed, trusted_keys(trusted))) == "update.bundle_invalid"


def test_files_that_are_not_bundles(tmp_path: Path, keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, trusted = keys
    keyring = trusted_keys(trusted)
    php = tmp_path / "balai-update-1.0.tar"
    php.write_bytes(b"<?php system($_GET['c']); ?>")
    assert _refusal(lambda: read_manifest(php, keyring)) == "update.bundle_invalid"
    assert _refusal(lambda: read_manifest(tmp_path / "gone.tar", keyring)) == "update.bundle_missing"
    empty = tmp_path / "empty.tar"
    tarfile.open(empty, "w").close()
    assert _refusal(lambda: read_manifest(empty, keyring)) == "update.bundle_invalid"
    monkeypatch.setattr(update_bundle, "MAX_BUNDLE_BYTES", 10)
    assert _refusal(lambda: read_manifest(php, keyring)) == "update.bundle_too_large"


def test_a_signed_manifest_must_still_make_sense(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    """Even the publisher's own signature does not make a wrong manifest acceptable."""
    private, trusted = keys
    key = load_private_key(private)
    for document in ({"format": 2, "product": "balai", "version": "0.2.0", "created_at": "", "wheels": []},
                     {"format": 1, "product": "balai", "version": "0.2.0", "created_at": "",
                      "wheels": [{"file": "../x.whl", "sha256": "0", "size": 1}]},
                     {"format": 1, "product": "balai", "version": "not a version", "created_at": "", "wheels": []}):
        data = json.dumps(document).encode()
        signature = base64.b64encode(key.sign(data))
        bundle = tmp_path / "odd.tar"
        with tarfile.open(bundle, "w") as tar:
            for name, payload in (("manifest.json", data), ("manifest.sig", signature)):
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
        assert _refusal(lambda: read_manifest(bundle, trusted_keys(trusted))) in {"update.bundle_format",
                                                                                   "update.bundle_invalid"}


def test_pack_needs_exactly_one_balai_wheel_and_never_overwrites_keys(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    private, trusted = keys
    folder = tmp_path / "no-balai"
    folder.mkdir()
    (folder / "peewee-3.17.0-py3-none-any.whl").write_bytes(b"x")
    assert _refusal(lambda: pack(folder, load_private_key(private), tmp_path / "x.tar")) == "update.no_balai_wheel"
    assert _refusal(lambda: generate_key(private, tmp_path / "new.pub")) == "update.key_exists"
    assert oct(private.stat().st_mode & 0o777) == "0o600"
    assert _refusal(lambda: load_private_key(trusted / "release.pub")) == "update.key_unreadable"


def test_only_a_newer_version_is_offered_and_the_layout_reads_the_link(tmp_path: Path,
                                                                        keys: tuple[Path, Path]) -> None:
    private, trusted = keys
    root = tmp_path / "opt"
    settings = load_settings(environ={}, overrides={"data_dir": tmp_path / "data", "install_root": root,
                                                     "update_keys_dir": trusted})
    layout = Layout(root)
    assert layout.current() is None
    assert _refusal(lambda: Installer(settings).apply(_bundle(tmp_path, private))) == "update.not_installed"
    for version in ("0.1.0", "0.2.0", "0.10.0"):
        (root / "releases" / version).mkdir(parents=True)
    layout.point_to("0.2.0")
    assert layout.current() == "0.2.0" and os.readlink(root / "venv") == "releases/0.2.0"
    assert _refusal(lambda: Installer(settings).check(_bundle(tmp_path, private, "0.2.0"))) == "update.not_newer"
    assert _refusal(lambda: Installer(settings).check(_bundle(tmp_path, private, "0.1.0"))) == "update.not_newer"
    assert Installer(settings).check(_bundle(tmp_path, private, "0.10.0")).version == "0.10.0"  # not text order
    (root / "venv").unlink()
    (root / "venv").symlink_to(tmp_path)  # a link that leads out of releases/ is no release
    assert layout.current() is None
    with pytest.raises(ServiceError):
        layout.release("../../etc")
