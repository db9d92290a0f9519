-- Announcements written in the office: an optional picture (a file name we made up, stored under
-- <data>/announcements; NULL when none) and the operator who posted it ('' for the district's).
ALTER TABLE announcement ADD COLUMN image TEXT;
ALTER TABLE announcement ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
