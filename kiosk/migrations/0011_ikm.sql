-- The satisfaction survey (IKM, PermenPANRB 14/2017). An invite is the one-time right to rate one finished
-- ticket or one picked-up letter, reached by a random token (never a sequential id in a URL). A response
-- is anonymous: it keeps the rated service and the local day, not the invite, the ticket, the letter or a
-- time of day, so an answer about a letter cannot be traced back to the resident who asked for it. "At most
-- once" is the invite's `answered` flag, set in the same transaction that stores the response.
CREATE TABLE ikm_invite (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    ticket_id INTEGER UNIQUE REFERENCES ticket (id),
    letter_request_id INTEGER UNIQUE REFERENCES letter_request (id),
    created_at TEXT NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    CHECK ((ticket_id IS NULL) <> (letter_request_id IS NULL))
);

CREATE TABLE ikm_response (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    service_kind TEXT NOT NULL CHECK (service_kind IN ('queue', 'letter')),
    service_key TEXT NOT NULL,
    service_name TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('kiosk', 'phone', 'demo')),
    day TEXT NOT NULL,
    u1 INTEGER NOT NULL CHECK (u1 BETWEEN 1 AND 4),
    u2 INTEGER NOT NULL CHECK (u2 BETWEEN 1 AND 4),
    u3 INTEGER NOT NULL CHECK (u3 BETWEEN 1 AND 4),
    u4 INTEGER NOT NULL CHECK (u4 BETWEEN 1 AND 4),
    u5 INTEGER NOT NULL CHECK (u5 BETWEEN 1 AND 4),
    u6 INTEGER NOT NULL CHECK (u6 BETWEEN 1 AND 4),
    u7 INTEGER NOT NULL CHECK (u7 BETWEEN 1 AND 4),
    u8 INTEGER NOT NULL CHECK (u8 BETWEEN 1 AND 4),
    u9 INTEGER NOT NULL CHECK (u9 BETWEEN 1 AND 4),
    jenis_kelamin TEXT NOT NULL DEFAULT '',
    pendidikan TEXT NOT NULL DEFAULT '',
    pekerjaan TEXT NOT NULL DEFAULT '',
    umur TEXT NOT NULL DEFAULT '',
    saran TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ikm_response_day ON ikm_response (day, service_kind, service_key);
