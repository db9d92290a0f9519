-- The office Wi-Fi residents' phones join: shown as a QR on the kiosk and printed on queue tickets.
-- At most one row; no row means "not configured" (no Wi-Fi QR anywhere). A table of its own rather than
-- columns on `village`: every change to the village row is journalled to the district (0006 triggers),
-- and the office's Wi-Fi password has no business there. No journal trigger on purpose.
CREATE TABLE office_wifi (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    ssid TEXT NOT NULL,
    password TEXT NOT NULL DEFAULT '',
    security TEXT NOT NULL DEFAULT 'WPA' CHECK (security IN ('WPA', 'WEP', 'nopass')),
    hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
