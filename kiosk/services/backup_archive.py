"""The `.balai-backup` file: a zstandard-compressed tar stream inside a container that detects any change.

Why a container around the tar.zst: zstandard's own checksum is not enough on its own. Its streaming reader
accepts a file cut short by a byte and a few flipped header bits without a word (measured with zstandard
0.25), and "a backup that verifies" must mean every byte is the one written. So:

    prefix   b"BALAIBAK" + format version (1 byte) + mode (1 byte)
    mode 0   (plain)      zstd(tar) + SHA-256 of everything before it (32 bytes)
    mode 1   (encrypted)  header + chunks: argon2id(passphrase, salt) -> 32-byte key; ChaCha20-Poly1305 over
                          1 MiB chunks, nonce = 7 random bytes + chunk counter (4) + last-chunk flag (1), the
                          header as associated data (the STREAM construction: a chunk removed, reordered,
                          cut or appended fails authentication)

A plain backup is still readable with standard tools when Balai is gone:
`tail -c +11 FILE | head -c -32 | zstd -d | tar -x`.

The tar holds `manifest.json` first (format, version, village, schema version, created_at, SHA-256 and size
of every member), then the members. Reading extracts into a private folder, only the member names this
format knows, each checked against the manifest. Everything streams: nothing is held whole in memory.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import io
import json
import os
import struct
import tarfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import zstandard
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

MAGIC = b"BALAIBAK"
VERSION = 1
PLAIN, ENCRYPTED = 0, 1
PREFIX = struct.Struct(">8sBB")
# time cost, memory cost (KiB), parallelism, salt, nonce prefix, chunk size, key check
HEADER = struct.Struct(">IIB16s7sI16s")
CHUNK = 1 << 20
TAG = 16
FORMAT = "balai-backup/1"
MANIFEST = "manifest.json"
# RFC 9106's second recommendation (64 MiB): about a second on a Raspberry Pi 4, costly for a guesser.
KDF = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}
# Every member a backup may hold, with the largest size accepted when reading one back.
MEMBERS = {"balai.sqlite3": 64 << 30, "signing.key": 64 << 10, "secret.key": 64 << 10, "logo.png": 8 << 20}
MANIFEST_MAX = 1 << 20


class ArchiveError(Exception):
    """The file is not a readable Balai backup. `code` says why, in one word the service translates."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class SealKey:
    """What encrypts an archive: the argon2id output and the parameters that made it.

    A key made once from the admin's passphrase encrypts every nightly USB copy without the passphrase itself
    being kept on the device (see kiosk.services.backup_usb)."""

    key: bytes
    salt: bytes
    time_cost: int
    memory_cost: int
    parallelism: int

    @property
    def check(self) -> bytes:
        """A short value derived from the key, kept in the header: a wrong passphrase is named as such."""
        return hmac.new(self.key, b"balai-backup key check", hashlib.sha256).digest()[:16]


def derive(passphrase: str, salt: bytes | None = None, params: dict[str, int] | None = None) -> SealKey:
    """argon2id of the passphrase (Unicode-normalised: the same words typed on another keyboard match)."""
    params = dict(KDF if params is None else params)
    salt = os.urandom(16) if salt is None else salt
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    key = hash_secret_raw(secret, salt, time_cost=params["time_cost"], memory_cost=params["memory_cost"],
                          parallelism=params["parallelism"], hash_len=32, type=Type.ID)
    return SealKey(key, salt, params["time_cost"], params["memory_cost"], params["parallelism"])


# --- writing ------------------------------------------------------------------------------------------------

class _PlainWriter:
    """Passes bytes through and hashes them; `finish` appends the hash."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        prefix = PREFIX.pack(MAGIC, VERSION, PLAIN)
        self.digest = hashlib.sha256(prefix)
        raw.write(prefix)

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.raw.write(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()

    def finish(self) -> None:
        self.raw.write(self.digest.digest())


class _EncryptingWriter:
    """Encrypts in 1 MiB chunks. A chunk goes out as "not last" only once more data is known to follow, so the
    last chunk (0 .. 1 MiB) always carries the last-chunk flag."""

    def __init__(self, raw: BinaryIO, seal: SealKey) -> None:
        self.raw = raw
        self.cipher = ChaCha20Poly1305(seal.key)
        self.prefix = os.urandom(7)
        self.header = PREFIX.pack(MAGIC, VERSION, ENCRYPTED) + HEADER.pack(
            seal.time_cost, seal.memory_cost, seal.parallelism, seal.salt, self.prefix, CHUNK, seal.check)
        raw.write(self.header)
        self.buffer = bytearray()
        self.counter = 0

    def _emit(self, data: bytes, last: bool) -> None:
        nonce = self.prefix + struct.pack(">I", self.counter) + (b"\x01" if last else b"\x00")
        self.raw.write(self.cipher.encrypt(nonce, data, self.header))
        self.counter += 1

    def write(self, data: bytes) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self.raw.flush()

    def finish(self) -> None:
        self._emit(bytes(self.buffer), last=True)
        self.buffer.clear()


def write_archive(raw: BinaryIO, members: list[tuple[str, Path]], manifest: dict[str, Any],
                  seal: SealKey | None) -> None:
    """Write manifest + members (name, file) as one archive into the open file `raw` (the caller fsyncs)."""
    body: _PlainWriter | _EncryptingWriter = _EncryptingWriter(raw, seal) if seal else _PlainWriter(raw)
    compressor = zstandard.ZstdCompressor(level=6, write_checksum=True)
    with compressor.stream_writer(body, closefd=False) as compressed, \
            tarfile.open(fileobj=compressed, mode="w|") as tar:  # type: ignore[call-overload]  (PAX, the default)
        now = int(time.time())
        data = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
        tar.addfile(_info(MANIFEST, len(data), now), io.BytesIO(data))
        for name, path in members:
            with open(path, "rb") as handle:
                tar.addfile(_info(name, os.fstat(handle.fileno()).st_size, now), handle)
    body.finish()
    raw.flush()


def _info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o600
    return info


# --- reading ------------------------------------------------------------------------------------------------

class _PlainReader:
    """The body between the prefix and the trailing hash, hashed as it is read; `finish` compares the hash."""

    def __init__(self, raw: BinaryIO, prefix: bytes, size: int) -> None:
        if size < len(prefix) + 32:
            raise ArchiveError("damaged", "too short")
        self.raw = raw
        self.left = size - len(prefix) - 32
        self.digest = hashlib.sha256(prefix)

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.raw.read(size)
        if len(data) != size:
            raise ArchiveError("damaged", "file shorter than it was")
        self.left -= size
        self.digest.update(data)
        return data

    def finish(self) -> None:
        while self.left:
            self.read(CHUNK)
        if not hmac.compare_digest(self.raw.read(33), self.digest.digest()):
            raise ArchiveError("damaged", "checksum mismatch")


class _DecryptingReader:
    """Decrypts chunk by chunk; refuses a changed, missing, reordered or extra chunk."""

    def __init__(self, raw: BinaryIO, prefix: bytes, passphrase: str | None, known: SealKey | None) -> None:
        fields = raw.read(HEADER.size)
        if len(fields) != HEADER.size:
            raise ArchiveError("damaged", "header cut short")
        time_cost, memory_cost, parallelism, salt, self.nonce_prefix, chunk, check = HEADER.unpack(fields)
        if not (1 <= time_cost <= 20 and 1 <= parallelism <= 16 and 8 * parallelism <= memory_cost <= 4 << 20
                and chunk == CHUNK):
            raise ArchiveError("damaged", "unusable key parameters")
        params = {"time_cost": time_cost, "memory_cost": memory_cost, "parallelism": parallelism}
        if known is not None and known.salt == salt and \
                (known.time_cost, known.memory_cost, known.parallelism) == (time_cost, memory_cost, parallelism):
            seal = known  # the key that wrote it, held by the caller: no second key derivation
        elif passphrase is None:
            raise ArchiveError("passphrase_needed")
        else:
            seal = derive(passphrase, salt, params)
        if not hmac.compare_digest(seal.check, check):
            raise ArchiveError("wrong_passphrase")
        self.raw = raw
        self.header = prefix + fields
        self.cipher = ChaCha20Poly1305(seal.key)
        self.counter = 0
        self.plain = b""
        self.offset = 0
        self.done = False
        self.pending = b""

    def _next(self) -> None:
        block = self.pending + self.raw.read(CHUNK + TAG - len(self.pending))
        self.pending = self.raw.read(1)
        last = not self.pending
        nonce = self.nonce_prefix + struct.pack(">I", self.counter) + (b"\x01" if last else b"\x00")
        try:
            self.plain = self.cipher.decrypt(nonce, block, self.header)
        except (InvalidTag, ValueError) as error:
            raise ArchiveError("damaged", f"chunk {self.counter} fails authentication") from error
        self.offset = 0
        self.counter += 1
        self.done = last

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while size is None or size < 0 or len(out) < size:
            if self.offset >= len(self.plain):
                if self.done:
                    break
                self._next()
                continue
            take = len(self.plain) - self.offset if size is None or size < 0 else size - len(out)
            out += self.plain[self.offset:self.offset + take]
            self.offset += take
        return bytes(out)

    def finish(self) -> None:
        while not self.done:
            self._next()


def _open_body(raw: BinaryIO, passphrase: str | None, known: SealKey | None) -> _PlainReader | _DecryptingReader:
    prefix = raw.read(PREFIX.size)
    if len(prefix) != PREFIX.size or prefix[:8] != MAGIC:
        raise ArchiveError("not_a_backup")
    _, version, mode = PREFIX.unpack(prefix)
    if version != VERSION or mode not in (PLAIN, ENCRYPTED):
        raise ArchiveError("unknown_version", f"format {version}, mode {mode}")
    if mode == ENCRYPTED:
        return _DecryptingReader(raw, prefix, passphrase, known)
    return _PlainReader(raw, prefix, os.fstat(raw.fileno()).st_size)


def is_encrypted(path: Path) -> bool:
    """Whether reading `path` needs a passphrase (False for anything that is not an encrypted backup)."""
    try:
        with open(path, "rb") as raw:
            prefix = raw.read(PREFIX.size)
    except OSError:
        return False
    return len(prefix) == PREFIX.size and prefix[:8] == MAGIC and prefix[9] == ENCRYPTED


@dataclass
class Extracted:
    manifest: dict[str, Any]
    encrypted: bool
    files: dict[str, Path] = field(default_factory=dict)


def read_archive(path: Path, passphrase: str | None, out_dir: Path, known: SealKey | None = None) -> Extracted:
    """Check every byte of `path` and extract its members into `out_dir` (which the caller owns and removes).

    `known`: a key already derived (the writer's own, or the stored USB key); used when its salt matches.

    Raises ArchiveError: not_a_backup, unknown_version, passphrase_needed, wrong_passphrase, damaged."""
    try:
        with open(path, "rb") as raw:
            body = _open_body(raw, passphrase, known)
            extracted = Extracted({}, isinstance(body, _DecryptingReader))
            reader = zstandard.ZstdDecompressor().stream_reader(body, read_size=1 << 16, read_across_frames=False,
                                                                  closefd=False)
            try:
                with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                    for member in tar:
                        _take(tar, member, extracted, out_dir)
                while reader.read(1 << 16):  # the tar's zero padding up to the end of the compressed frame
                    pass
            except (tarfile.TarError, zstandard.ZstdError, EOFError) as error:
                raise ArchiveError("damaged", str(error)[:200]) from error
            body.finish()
    except OSError as error:
        raise ArchiveError("no_space" if error.errno in (errno.ENOSPC, errno.EDQUOT) else "unreadable",
                           str(error)[:200]) from error
    expected = set(extracted.manifest.get("files", {}))
    if not extracted.manifest or set(extracted.files) != expected:
        raise ArchiveError("damaged", "members do not match the manifest")
    return extracted


def _take(tar: tarfile.TarFile, member: tarfile.TarInfo, extracted: Extracted, out_dir: Path) -> None:
    """One tar member: the manifest (first, parsed) or a known file (streamed to disk and checked)."""
    name = member.name
    if not member.isreg() or name in extracted.files or (name == MANIFEST) == bool(extracted.manifest):
        raise ArchiveError("damaged", f"unexpected member {name[:60]!r}")
    source = tar.extractfile(member)
    assert source is not None  # a regular file always has content
    if name == MANIFEST:
        if member.size > MANIFEST_MAX:
            raise ArchiveError("damaged", "manifest too large")
        try:
            manifest = json.loads(source.read())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ArchiveError("damaged", "manifest unreadable") from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
                or not isinstance(manifest.get("files"), dict) or not set(manifest["files"]) <= set(MEMBERS):
            raise ArchiveError("damaged", "not a Balai backup manifest")
        extracted.manifest = manifest
        return
    listed = extracted.manifest["files"].get(name)
    if name not in MEMBERS or not isinstance(listed, dict) or member.size > MEMBERS[name] \
            or member.size != listed.get("size"):
        raise ArchiveError("damaged", f"member {name[:60]!r} not as listed")
    target = out_dir / name
    digest = hashlib.sha256()
    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        while block := source.read(1 << 16):
            digest.update(block)
            handle.write(block)
    if not hmac.compare_digest(digest.hexdigest(), str(listed.get("sha256", ""))):
        raise ArchiveError("damaged", f"member {name!r} does not match its hash")
    extracted.files[name] = target


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 16):
            digest.update(block)
    return digest.hexdigest()
