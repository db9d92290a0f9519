-- The village budget (APBDes) and its realisation, per fiscal year. Earlier years stay: a year is never
-- deleted, only its lines are replaced (by an import) or edited. Only published years show to residents.
-- Amounts are whole Rupiah (INTEGER). A line's code collides across sections (4.1 is Pendapatan Asli Desa
-- and a sub-bidang of bidang 4), so the section is part of its identity.
CREATE TABLE budget_year (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
    published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE budget_line (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    year_id INTEGER NOT NULL REFERENCES budget_year (id) ON DELETE CASCADE,
    section TEXT NOT NULL CHECK (section IN ('pendapatan', 'belanja', 'pembiayaan')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    budget INTEGER NOT NULL CHECK (budget >= 0),
    realised INTEGER NOT NULL DEFAULT 0 CHECK (realised >= 0),
    sort_order INTEGER NOT NULL DEFAULT 0,
    UNIQUE (year_id, section, code)
);
CREATE INDEX budget_line_year ON budget_line (year_id, sort_order);
