"""The district hub's database: PostgreSQL in production, SQLite as the embedded default.

Every table that holds a village's data carries `village_id` (the 10-digit kode wilayah) as the first
column of its primary key, so a national deployment distributes every such table on it (Citus
`create_distributed_table(..., 'village_id')`) and each village's ingest touches one shard. District-level
tables (accounts, items sent to all villages) are small reference tables. See docs/sync.md.

Records are stored whole (JSON) with a `version` that orders them: (epoch generation << 40) | sequence. An
upsert only replaces a stored record with a higher version, so batches applied twice or out of order leave
the newest state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import (AutoField, BigIntegerField, BooleanField, CharField, CompositeKey, Database, DatabaseProxy,
                    DateTimeField, FloatField, IntegerField, Model, PostgresqlDatabase, SqliteDatabase, TextField)

log = logging.getLogger(__name__)

hub_database = DatabaseProxy()
ALL_VILLAGES = "*"


class HubModel(Model):
    class Meta:
        database = hub_database
        legacy_table_names = False


class HubVillage(HubModel):
    village_id = CharField(max_length=10, primary_key=True)
    name = TextField(default="")
    kecamatan = TextField(default="")
    kabupaten = TextField(default="")
    public_key = TextField()
    enrolled_at = DateTimeField()
    last_contact_at = DateTimeField(null=True)
    last_success_at = DateTimeField(null=True)
    pending_reported = IntegerField(null=True)
    oldest_pending_s = FloatField(null=True)
    clock_skew_s = FloatField(null=True)      # the village's clock minus ours at its last contact
    max_generation = IntegerField(default=0)


class HubEnrolment(HubModel):
    village_id = CharField(max_length=10)
    code_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField()
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    created_by = TextField(default="")

    class Meta:
        primary_key = CompositeKey("village_id", "code_hash")


class HubRange(HubModel):
    """Sequence ranges received, per village and epoch: merged, kept forever."""

    village_id = CharField(max_length=10)
    epoch = CharField(max_length=16)
    first_seq = BigIntegerField()
    last_seq = BigIntegerField()

    class Meta:
        primary_key = CompositeKey("village_id", "epoch", "first_seq")


class HubBatch(HubModel):
    """Every batch ever stored: the permanent deduplication of (batch id, hash)."""

    village_id = CharField(max_length=10)
    batch_id = CharField(max_length=80)
    sha256 = CharField(max_length=64)
    epoch = CharField(max_length=16)
    first_seq = BigIntegerField()
    last_seq = BigIntegerField()
    changes = IntegerField()
    accepted = IntegerField()
    rejected = IntegerField()
    schema_version = IntegerField()
    received_at = DateTimeField()
    via = CharField(max_length=8)  # net | usb

    class Meta:
        primary_key = CompositeKey("village_id", "batch_id")


class HubRecord(HubModel):
    village_id = CharField(max_length=10)
    entity = CharField(max_length=32)
    key = CharField(max_length=64)
    version = BigIntegerField()
    deleted = BooleanField(default=False)
    data = TextField(default="{}")
    updated_at = DateTimeField()

    class Meta:
        primary_key = CompositeKey("village_id", "entity", "key")


class HubRejection(HubModel):
    village_id = CharField(max_length=10)
    batch_id = CharField(max_length=80)
    seq = BigIntegerField()
    entity = TextField(default="")
    key = TextField(default="")
    reason = TextField()
    at = DateTimeField()

    class Meta:
        primary_key = CompositeKey("village_id", "batch_id", "seq")


class HubIncident(HubModel):
    """Hard errors worth a human's look: a batch id seen with another hash, bad signatures, tampered bundles."""

    id = AutoField()
    village_id = CharField(max_length=10, index=True)
    at = DateTimeField()
    kind = CharField(max_length=32)
    detail = TextField(default="")


class HubOutbox(HubModel):
    """Items the district sends down: announcements and letter templates, to one village or to all ('*')."""

    item_id = AutoField()
    village_id = CharField(max_length=10, index=True)
    kind = CharField(max_length=32)
    payload = TextField()
    created_at = DateTimeField()
    created_by = TextField(default="")


class HubPullResult(HubModel):
    village_id = CharField(max_length=10)
    item_id = IntegerField()
    outcome = CharField(max_length=16)
    message = TextField(default="")
    at = DateTimeField()

    class Meta:
        primary_key = CompositeKey("village_id", "item_id")


class HubUser(HubModel):
    """District accounts for the dashboard (a reference table: not per village)."""

    username = CharField(max_length=64, primary_key=True)
    full_name = TextField(default="")
    password_hash = TextField()
    active = BooleanField(default=True)
    created_at = DateTimeField()


class HubSchema(HubModel):
    version = IntegerField(primary_key=True)
    applied_at = DateTimeField()


MODELS: tuple[type[HubModel], ...] = (HubVillage, HubEnrolment, HubRange, HubBatch, HubRecord, HubRejection,
                                      HubIncident, HubOutbox, HubPullResult, HubUser)


def _migration_1(database: Database) -> None:
    database.create_tables(MODELS)
    database.execute_sql("CREATE INDEX hub_record_entity ON hub_record (village_id, entity, deleted)")


# Numbered, applied once each, in order; a hub from any earlier release upgrades in place.
MIGRATIONS = (_migration_1,)


@dataclass(frozen=True)
class HubDatabaseInfo:
    url: str
    engine: str  # postgresql | sqlite


def open_hub_database(url: str, data_dir: Path) -> HubDatabaseInfo:
    """Point the hub models at `url` (postgresql://... or a SQLite path; default `<data>/hub.sqlite3`) and
    bring its schema up to date."""
    if url.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg  # noqa: F401 - peewee finds it by itself; this only makes the message clear
        except ImportError as error:
            raise RuntimeError("a PostgreSQL hub needs psycopg: pip install 'balai[hub]'") from error
        parts = urlparse(url)
        database: Database = PostgresqlDatabase(
            unquote(parts.path.lstrip("/")), user=unquote(parts.username or "") or None,
            password=unquote(parts.password or "") or None, host=parts.hostname or None, port=parts.port or None,
            autoconnect=True)
        engine = "postgresql"
    else:
        path = Path(url.removeprefix("sqlite:///")) if url else data_dir / "hub.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        database = SqliteDatabase(str(path), pragmas={"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                                                      "busy_timeout": 15000}, lock_type="IMMEDIATE")
        engine = "sqlite"
    hub_database.initialize(database)
    migrate_hub(database)
    return HubDatabaseInfo(url or str(data_dir / "hub.sqlite3"), engine)


def utc_now() -> datetime:
    """Naive UTC, as stored. The hub's clock is the only one it trusts."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def migrate_hub(database: Database) -> int:
    with database.atomic():
        database.create_tables([HubSchema], safe=True)
        current = HubSchema.select().count()
        for number, migration in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            log.info("hub: applying schema migration %d", number)
            migration(database)
            HubSchema.create(version=number, applied_at=utc_now())
    return len(MIGRATIONS)


def is_postgres() -> bool:
    return isinstance(hub_database.obj, PostgresqlDatabase)


def close_hub_database() -> None:
    if hub_database.obj is not None and not hub_database.is_closed():
        hub_database.close()


# --- schema 2: login attempts for the district dashboard ---------------------------------------------------

class HubLoginAttempt(HubModel):
    """One dashboard sign-in attempt: the evidence the lockout counts, and the trail an auditor reads.

    A reference table like HubUser (district accounts are not per village), so it carries no village_id."""

    id = AutoField()
    username = CharField(max_length=64)
    at = DateTimeField()
    ok = BooleanField()
    client = TextField(default="")

    class Meta:
        indexes = ((("username", "at"), False),)


def _migration_2(database: Database) -> None:
    database.create_tables([HubLoginAttempt])


# Appended rather than edited into the tuple above, so migration 1 stays exactly as released.
MIGRATIONS = (*MIGRATIONS, _migration_2)
