-- Durable print jobs: stored before anything is sent, retried until the printer accepts them.
CREATE TABLE print_job (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    ticket_id INTEGER REFERENCES ticket (id),
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'done', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    printed_at TEXT
);
CREATE INDEX print_job_due ON print_job (status, next_attempt_at);
