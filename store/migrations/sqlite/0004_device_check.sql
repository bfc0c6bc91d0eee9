-- The latest device check of each invitation: its overall verdict, the items that failed
-- (comma-separated item names) and when it ran. Every run is also a signal in the log.
ALTER TABLE invitations ADD COLUMN device_check_verdict TEXT
    CHECK (device_check_verdict IS NULL OR device_check_verdict IN ('pass', 'warn', 'fail'));
ALTER TABLE invitations ADD COLUMN device_check_failed TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN device_checked_at BIGINT;
