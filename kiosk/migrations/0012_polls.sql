-- Village polls (jajak pendapat): a question with 2..10 options and a voting period, answered once per
-- resident with NIK + PIN at the kiosk or on a phone.
--
-- Privacy: the choice is never stored with who made it. `poll_option.votes` is a plain counter, bumped in
-- the same transaction that inserts (poll, resident) into `poll_voter`; there is no ballot row at all, so
-- there is no id, rowid, timestamp or insertion order that could be joined with the voter list. The voter
-- list is WITHOUT ROWID (stored in (poll, resident) order, not in the order people voted) and has no time.
-- None of these tables is journalled for the district.
-- Times are naive UTC text ('YYYY-MM-DD HH:MM:SS'), like every other stored moment.

CREATE TABLE poll (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    results_live INTEGER NOT NULL DEFAULT 1 CHECK (results_live IN (0, 1)),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    published_at TEXT,
    published_by TEXT,
    closed_at TEXT,
    closed_by TEXT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX poll_status ON poll (status, starts_at);

CREATE TABLE poll_option (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    label TEXT NOT NULL,
    votes INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
    UNIQUE (poll_id, position)
);

CREATE TABLE poll_voter (
    poll_id INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    penduduk_id INTEGER NOT NULL REFERENCES penduduk (id),
    PRIMARY KEY (poll_id, penduduk_id)
) WITHOUT ROWID;
