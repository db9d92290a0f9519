-- Residents (penduduk), families (keluarga), the village's areas (dusun -> RW -> RT), events (mutasi),
-- name/NIK/KK search (FTS5) and the log of who revealed which personal record.
-- Person columns keep the names of the common "Data Penduduk" Excel format so import and export map 1:1.
ALTER TABLE village ADD COLUMN label_dusun TEXT NOT NULL DEFAULT 'Dusun';
ALTER TABLE village ADD COLUMN label_rw TEXT NOT NULL DEFAULT 'RW';
ALTER TABLE village ADD COLUMN label_rt TEXT NOT NULL DEFAULT 'RT';

CREATE TABLE wilayah (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    dusun TEXT NOT NULL,
    rw TEXT NOT NULL DEFAULT '',
    rt TEXT NOT NULL DEFAULT '',
    UNIQUE (dusun, rw, rt)
);

CREATE TABLE keluarga (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    no_kk TEXT NOT NULL UNIQUE,
    alamat TEXT NOT NULL DEFAULT '',
    wilayah_id INTEGER REFERENCES wilayah (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE penduduk (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    nik TEXT NOT NULL UNIQUE,
    nama TEXT NOT NULL,
    keluarga_id INTEGER REFERENCES keluarga (id),
    wilayah_id INTEGER REFERENCES wilayah (id),
    alamat TEXT,
    kk_level INTEGER,
    sex INTEGER NOT NULL CHECK (sex IN (1, 2)),
    tempatlahir TEXT,
    tanggallahir TEXT,
    agama_id INTEGER,
    pendidikan_kk_id INTEGER,
    pendidikan_sedang_id INTEGER,
    pekerjaan_id INTEGER,
    status_kawin INTEGER,
    warganegara_id INTEGER NOT NULL DEFAULT 1,
    ayah_nik TEXT,
    nama_ayah TEXT,
    ibu_nik TEXT,
    nama_ibu TEXT,
    golongan_darah_id INTEGER,
    akta_lahir TEXT,
    dokumen_pasport TEXT,
    tanggal_akhir_paspor TEXT,
    dokumen_kitas TEXT,
    akta_perkawinan TEXT,
    tanggalperkawinan TEXT,
    akta_perceraian TEXT,
    tanggalperceraian TEXT,
    cacat_id INTEGER,
    cara_kb_id INTEGER,
    hamil INTEGER,
    ktp_el INTEGER,
    status_rekam INTEGER,
    alamat_sekarang TEXT,
    status_dasar INTEGER NOT NULL DEFAULT 1,
    suku TEXT,
    tag_id_card TEXT,
    id_asuransi INTEGER,
    no_asuransi TEXT,
    lat REAL,
    lng REAL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX penduduk_keluarga ON penduduk (keluarga_id);
CREATE INDEX penduduk_wilayah ON penduduk (wilayah_id, status_dasar);

CREATE TABLE penduduk_event (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    penduduk_id INTEGER REFERENCES penduduk (id),
    keluarga_id INTEGER REFERENCES keluarga (id),
    kind TEXT NOT NULL,
    event_date TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    document_no TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    operator TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX penduduk_event_person ON penduduk_event (penduduk_id, event_date);
CREATE INDEX penduduk_event_date ON penduduk_event (event_date, kind);

-- Search: names, NIK and KK, case- and accent-insensitive, prefix queries. Kept in step by triggers.
CREATE VIRTUAL TABLE penduduk_fts USING fts5 (
    nama, nik, no_kk, tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER penduduk_fts_insert AFTER INSERT ON penduduk BEGIN
    INSERT INTO penduduk_fts (rowid, nama, nik, no_kk)
    VALUES (new.id, new.nama, new.nik, (SELECT no_kk FROM keluarga WHERE id = new.keluarga_id));
END;

CREATE TRIGGER penduduk_fts_update AFTER UPDATE OF nama, nik, keluarga_id ON penduduk BEGIN
    DELETE FROM penduduk_fts WHERE rowid = old.id;
    INSERT INTO penduduk_fts (rowid, nama, nik, no_kk)
    VALUES (new.id, new.nama, new.nik, (SELECT no_kk FROM keluarga WHERE id = new.keluarga_id));
END;

CREATE TRIGGER penduduk_fts_delete AFTER DELETE ON penduduk BEGIN
    DELETE FROM penduduk_fts WHERE rowid = old.id;
END;

CREATE TRIGGER keluarga_fts_update AFTER UPDATE OF no_kk ON keluarga BEGIN
    UPDATE penduduk_fts SET no_kk = new.no_kk WHERE rowid IN (SELECT id FROM penduduk WHERE keluarga_id = new.id);
END;

CREATE TABLE personal_data_read (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    penduduk_id INTEGER REFERENCES penduduk (id),
    keluarga_id INTEGER REFERENCES keluarga (id),
    what TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX personal_data_read_person ON personal_data_read (penduduk_id, at);
