-- Complaints and aspirations (pengaduan / aspirasi) from the kiosk, phones and the office counter.
--
-- A complaint is anonymous, or carries a resident verified by NIK + PIN (penduduk_id), or just a name and a
-- phone number someone typed (not checked against the register). Its photo, if any, is a JPEG we re-encoded,
-- stored under <data>/complaints with a name we made up; the file never travels to the district.
-- Statuses: diterima -> diproses -> selesai, or ditolak (with a reason). The due time is fixed when the
-- complaint arrives (created_at + the category's days then); changing a category later moves no deadline.

CREATE TABLE complaint_category (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    due_days INTEGER NOT NULL CHECK (due_days BETWEEN 1 AND 90),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    sort_order INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
INSERT INTO complaint_category (code, name, due_days, sort_order, updated_at, updated_by) VALUES
    ('administrasi', 'Pelayanan administrasi', 3, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'), 'system'),
    ('infrastruktur', 'Infrastruktur', 14, 2, strftime('%Y-%m-%d %H:%M:%f', 'now'), 'system'),
    ('bansos', 'Bantuan sosial', 7, 3, strftime('%Y-%m-%d %H:%M:%f', 'now'), 'system'),
    ('keamanan', 'Keamanan & ketertiban', 2, 4, strftime('%Y-%m-%d %H:%M:%f', 'now'), 'system'),
    ('lainnya', 'Lainnya', 7, 5, strftime('%Y-%m-%d %H:%M:%f', 'now'), 'system');

CREATE TABLE complaint (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    tracking_code TEXT NOT NULL UNIQUE,          -- 8 characters; shown as ADU-XXXX-XXXX
    category_id INTEGER NOT NULL REFERENCES complaint_category (id),
    body TEXT NOT NULL,
    identity TEXT NOT NULL CHECK (identity IN ('anonim', 'warga', 'nama')),
    penduduk_id INTEGER REFERENCES penduduk (id),
    reporter_name TEXT NOT NULL DEFAULT '',
    reporter_phone TEXT NOT NULL DEFAULT '',
    photo TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('kiosk', 'phone', 'operator')),
    status TEXT NOT NULL DEFAULT 'diterima' CHECK (status IN ('diterima', 'diproses', 'selesai', 'ditolak')),
    reject_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    CHECK ((identity = 'warga') = (penduduk_id IS NOT NULL))
);
CREATE INDEX complaint_open ON complaint (status, due_at);
CREATE INDEX complaint_category_status ON complaint (category_id, status);

-- Replies the resident reads by tracking code; a status change made with a reply is kept beside it.
CREATE TABLE complaint_reply (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    complaint_id INTEGER NOT NULL REFERENCES complaint (id),
    body TEXT NOT NULL DEFAULT '',
    status TEXT,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX complaint_reply_complaint ON complaint_reply (complaint_id, id);

-- Sync: a complaint travels with its replies inside it, so a reply journals its complaint.
CREATE TRIGGER complaint_journal_insert AFTER INSERT ON complaint BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('complaint', new.uuid);
END;
CREATE TRIGGER complaint_journal_update AFTER UPDATE ON complaint BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('complaint', new.uuid);
END;
CREATE TRIGGER complaint_journal_delete AFTER DELETE ON complaint BEGIN
    INSERT INTO sync_journal (entity, key) VALUES ('complaint', old.uuid);
END;
CREATE TRIGGER complaint_reply_journal_insert AFTER INSERT ON complaint_reply BEGIN
    INSERT INTO sync_journal (entity, key) SELECT 'complaint', uuid FROM complaint WHERE id = new.complaint_id;
END;
