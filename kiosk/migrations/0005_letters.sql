-- Letters (surat): types with their templates, requests and their signed result, gap-free number series,
-- attachments, residents' PINs, and the village's public signing key.

ALTER TABLE village ADD COLUMN public_key TEXT NOT NULL DEFAULT '';
ALTER TABLE user ADD COLUMN title TEXT NOT NULL DEFAULT '';

CREATE TABLE letter_type (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    klasifikasi TEXT NOT NULL,
    requirements TEXT NOT NULL DEFAULT '[]',   -- JSON list of strings
    resident_fields TEXT NOT NULL DEFAULT '[]', -- JSON list of resident facts shown in the letter
    fields TEXT NOT NULL DEFAULT '[]',          -- JSON list of asked fields (name, label, type, rules)
    body TEXT NOT NULL,                         -- Jinja template of the letter body
    for_deceased INTEGER NOT NULL DEFAULT 0,    -- may be asked for someone no longer living (Keterangan Kematian)
    builtin INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE letter_request (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    tracking_code TEXT NOT NULL UNIQUE,
    letter_type_id INTEGER NOT NULL REFERENCES letter_type (id),
    penduduk_id INTEGER NOT NULL REFERENCES penduduk (id),
    fields TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('belum_lengkap', 'diperiksa', 'menunggu_ttd', 'siap', 'diambil',
                                           'dibatalkan')),
    status_note TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,                      -- kiosk, phone, operator, api
    requested_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    checked_by TEXT NOT NULL DEFAULT '',
    -- Filled at signing, never changed afterwards (a trigger refuses it).
    number TEXT,
    number_series TEXT,
    number_year INTEGER,
    number_seq INTEGER,
    letter_date TEXT,
    signed_at TEXT,
    signed_by TEXT,
    signer_name TEXT,
    signer_title TEXT,
    content TEXT,                               -- canonical JSON of what the letter says
    content_hash TEXT,
    pdf_path TEXT,
    pdf_sha256 TEXT,
    qr_text TEXT,
    picked_up_at TEXT,
    revoked_at TEXT,
    revoked_by TEXT,
    revoke_reason TEXT,
    UNIQUE (number_series, number_year, number_seq)
);
CREATE INDEX letter_request_status ON letter_request (status, updated_at);
CREATE INDEX letter_request_person ON letter_request (penduduk_id);
CREATE INDEX letter_request_signed ON letter_request (signed_at);

CREATE TRIGGER letter_request_signed_is_final BEFORE UPDATE ON letter_request
WHEN old.signed_at IS NOT NULL AND (
    new.number IS NOT old.number OR new.content IS NOT old.content OR new.content_hash IS NOT old.content_hash
    OR new.pdf_path IS NOT old.pdf_path OR new.pdf_sha256 IS NOT old.pdf_sha256 OR new.qr_text IS NOT old.qr_text
    OR new.fields IS NOT old.fields OR new.penduduk_id IS NOT old.penduduk_id
    OR new.letter_type_id IS NOT old.letter_type_id OR new.signed_at IS NOT old.signed_at
    OR new.letter_date IS NOT old.letter_date)
BEGIN
    SELECT RAISE(ABORT, 'a signed letter cannot be changed');
END;

CREATE TABLE letter_number_counter (
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (series, year)
);

CREATE TABLE letter_attachment (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    request_id INTEGER NOT NULL REFERENCES letter_request (id),
    label TEXT NOT NULL,
    media_type TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX letter_attachment_request ON letter_attachment (request_id);

CREATE TABLE resident_pin (
    penduduk_id INTEGER PRIMARY KEY REFERENCES penduduk (id),
    pin_hash TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);

CREATE TABLE pin_attempt (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    client TEXT NOT NULL,
    nik_hash TEXT NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX pin_attempt_client ON pin_attempt (client, at);
CREATE INDEX pin_attempt_nik ON pin_attempt (nik_hash, at);
