-- Sync to the district: the change journal (filled by triggers, so every path that writes a travelling
-- record journals it in the same transaction: pages, API, importers, letters, the queue), sealed batches,
-- the uploader's state, what the hub sent back (announcements, refused records), and the clock guard.

-- One row: this database's epoch and the uploader's bookkeeping. A new database gets a new random epoch;
-- a restore or a conflict reported by the hub starts another, so (village, epoch, seq) is never reused.
-- An epoch is 16 hex digits: a 4-digit generation (each new epoch counts up, so the hub orders them)
-- and 12 random ones.
CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL,
    epoch_started_at TEXT NOT NULL,
    sealed_through INTEGER NOT NULL DEFAULT 0,   -- journal rows up to here are inside a sealed batch
    hub_url TEXT NOT NULL DEFAULT '',
    hub_sign_key TEXT NOT NULL DEFAULT '',       -- the hub's Ed25519 key: acks and pulled items are signed
    hub_box_key TEXT NOT NULL DEFAULT '',        -- the hub's X25519 key: USB bundles are encrypted to it
    enrolled_at TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,
    pull_cursor INTEGER NOT NULL DEFAULT 0,
    hub_time_offset_s REAL,                      -- hub clock minus ours at the last contact
    clock_high_water TEXT                        -- the latest time this database has seen
);
INSERT INTO sync_state (id, epoch, epoch_started_at, clock_high_water)
VALUES (1, '0001' || lower(hex(randomblob(6))), strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'));

-- Which record changed, in order. The record's state is read when its batch is sealed, so a record
-- changed ten times before the link returns travels once.
CREATE TABLE sync_journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))  -- this machine's clock, for the pending age
);
CREATE INDEX sync_journal_record ON sync_journal (entity, key, seq);

-- Batches ready to send: the exact bytes go over the network or onto a USB stick, so a resend is identical.
CREATE TABLE sync_batch (
    id INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL UNIQUE,               -- <village>:<epoch>:<first>-<last>
    epoch TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    changes INTEGER NOT NULL,
    body BLOB,                                   -- zstd-compressed; emptied once the hub has it
    sha256 TEXT NOT NULL,
    sealed_at TEXT NOT NULL,
    oldest_change_at TEXT NOT NULL,              -- for "oldest pending change" (this machine's clock)
    acked_at TEXT,
    accepted INTEGER,
    rejected INTEGER
);
CREATE INDEX sync_batch_pending ON sync_batch (acked_at, id);

-- Records the hub refused (one by one, the rest of their batch was stored), shown to operators.
CREATE TABLE sync_rejection (
    id INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);

-- Announcements: from the district (pulled) or, later, written in the office.
CREATE TABLE announcement (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL CHECK (source IN ('hub', 'local')),
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX announcement_current ON announcement (starts_on, ends_on);

-- What the district sent and what became of it (a template that fails our checks is refused, not applied).
CREATE TABLE sync_pulled (
    hub_item_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    outcome TEXT NOT NULL,                       -- ok | refused
    message TEXT NOT NULL DEFAULT '',
    reported INTEGER NOT NULL DEFAULT 0
);

-- The journal triggers. `key` is the record's global identity (a UUID; a day for queue statistics).
CREATE TRIGGER village_journal_insert AFTER INSERT ON village BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('village', new.uuid);
END;
CREATE TRIGGER village_journal_update AFTER UPDATE ON village BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('village', new.uuid);
END;

CREATE TRIGGER wilayah_journal_insert AFTER INSERT ON wilayah BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('wilayah', new.uuid);
END;
CREATE TRIGGER wilayah_journal_update AFTER UPDATE ON wilayah BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('wilayah', new.uuid);
END;
CREATE TRIGGER wilayah_journal_delete AFTER DELETE ON wilayah BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('wilayah', old.uuid);
END;

CREATE TRIGGER keluarga_journal_insert AFTER INSERT ON keluarga BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('keluarga', new.uuid);
END;
CREATE TRIGGER keluarga_journal_update AFTER UPDATE ON keluarga BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('keluarga', new.uuid);
END;
CREATE TRIGGER keluarga_journal_delete AFTER DELETE ON keluarga BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('keluarga', old.uuid);
END;

CREATE TRIGGER penduduk_journal_insert AFTER INSERT ON penduduk BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('penduduk', new.uuid);
END;
CREATE TRIGGER penduduk_journal_update AFTER UPDATE ON penduduk BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('penduduk', new.uuid);
END;
CREATE TRIGGER penduduk_journal_delete AFTER DELETE ON penduduk BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('penduduk', old.uuid);
END;

CREATE TRIGGER penduduk_event_journal_insert AFTER INSERT ON penduduk_event BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('penduduk_event', new.uuid);
END;
CREATE TRIGGER penduduk_event_journal_update AFTER UPDATE ON penduduk_event BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('penduduk_event', new.uuid);
END;
CREATE TRIGGER penduduk_event_journal_delete AFTER DELETE ON penduduk_event BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('penduduk_event', old.uuid);
END;

-- Letters travel once signed (metadata and content hash, never the PDF), again when revoked or picked up.
CREATE TRIGGER letter_journal_update AFTER UPDATE ON letter_request
WHEN new.signed_at IS NOT NULL AND (old.signed_at IS NULL OR new.revoked_at IS NOT old.revoked_at
                                    OR new.picked_up_at IS NOT old.picked_up_at)
BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('letter', new.uuid);
END;

-- Queue statistics travel per day; many ticket changes in one batch collapse into one record.
CREATE TRIGGER ticket_journal_insert AFTER INSERT ON ticket BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('queue_day', new.day);
END;
CREATE TRIGGER ticket_journal_update AFTER UPDATE OF status, service_id, called_at, finished_at ON ticket BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('queue_day', new.day);
END;

-- Everything this database already holds travels in its first sync.
INSERT INTO sync_journal (entity, key) SELECT 'village', uuid FROM village;
INSERT INTO sync_journal (entity, key) SELECT 'wilayah', uuid FROM wilayah ORDER BY id;
INSERT INTO sync_journal (entity, key) SELECT 'keluarga', uuid FROM keluarga ORDER BY id;
INSERT INTO sync_journal (entity, key) SELECT 'penduduk', uuid FROM penduduk ORDER BY id;
INSERT INTO sync_journal (entity, key) SELECT 'penduduk_event', uuid FROM penduduk_event ORDER BY id;
INSERT INTO sync_journal (entity, key) SELECT 'letter', uuid FROM letter_request WHERE signed_at IS NOT NULL ORDER BY id;
INSERT INTO sync_journal (entity, key) SELECT DISTINCT 'queue_day', day FROM ticket ORDER BY day;
