-- The queue: services, counters, tickets numbered per service per local day, and every call.
CREATE TABLE service (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL UNIQUE CHECK (length(prefix) = 1 AND prefix BETWEEN 'A' AND 'Z'),
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE counter (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE counter_service (
    counter_id INTEGER NOT NULL REFERENCES counter (id) ON DELETE CASCADE,
    service_id INTEGER NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    PRIMARY KEY (counter_id, service_id)
);

CREATE TABLE ticket (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    issued_service_id INTEGER NOT NULL REFERENCES service (id),
    service_id INTEGER NOT NULL REFERENCES service (id),
    day TEXT NOT NULL,
    seq INTEGER NOT NULL,
    number TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'done', 'skipped')),
    counter_id INTEGER REFERENCES counter (id),
    created_at TEXT NOT NULL,
    called_at TEXT,
    finished_at TEXT,
    call_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (issued_service_id, day, seq)
);
CREATE INDEX ticket_waiting ON ticket (day, status, service_id, id);

CREATE TABLE ticket_call (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES ticket (id),
    counter_id INTEGER NOT NULL REFERENCES counter (id),
    at TEXT NOT NULL,
    recall INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ticket_call_at ON ticket_call (at);
