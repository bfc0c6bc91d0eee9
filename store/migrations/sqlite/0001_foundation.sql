-- Turnout's foundation schema (SQLite). Times are Unix seconds (UTC).
-- Kept column-for-column in step with migrations/postgres.

CREATE TABLE hr_users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'head_office', 'branch', 'read_only')),
    branch        TEXT,
    created_at    INTEGER NOT NULL
);

CREATE TABLE hr_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES hr_users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE campaigns (
    id                      INTEGER PRIMARY KEY,
    bank                    TEXT NOT NULL,
    position                TEXT NOT NULL,
    branch                  TEXT NOT NULL,
    time_zone               TEXT NOT NULL,
    window_days             INTEGER NOT NULL DEFAULT 3 CHECK (window_days BETWEEN 1 AND 14),
    max_reschedules         INTEGER NOT NULL DEFAULT 2 CHECK (max_reschedules >= 0),
    reschedule_cutoff_hours INTEGER NOT NULL DEFAULT 12 CHECK (reschedule_cutoff_hours >= 0),
    interview_url           TEXT NOT NULL,
    login_notes             TEXT NOT NULL DEFAULT '',
    help_contact            TEXT NOT NULL DEFAULT '',
    created_at              INTEGER NOT NULL
);

CREATE TABLE slots (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    booked      INTEGER NOT NULL DEFAULT 0,
    CHECK (ends_at > starts_at),
    -- The last line of defence against overbooking: no update can push a slot past capacity.
    CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX slots_campaign_start ON slots (campaign_id, starts_at);

CREATE TABLE candidates (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    full_name   TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX candidates_campaign ON candidates (campaign_id);

CREATE TABLE invitations (
    id               INTEGER PRIMARY KEY,
    candidate_id     INTEGER NOT NULL UNIQUE REFERENCES candidates (id),
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id),
    token_hash       TEXT NOT NULL UNIQUE,
    issued_at        INTEGER NOT NULL,
    window_first_day TEXT NOT NULL,
    window_days      INTEGER NOT NULL,
    window_starts_at INTEGER NOT NULL,
    window_ends_at   INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('invited', 'opened', 'confirmed', 'rescheduled', 'declined')),
    slot_id          INTEGER REFERENCES slots (id),
    reschedules      INTEGER NOT NULL DEFAULT 0,
    decline_reason   TEXT,
    decline_note     TEXT,
    first_opened_at  INTEGER,
    last_activity_at INTEGER NOT NULL,
    CHECK ((slot_id IS NOT NULL) = (state IN ('confirmed', 'rescheduled')))
);
CREATE INDEX invitations_campaign_state ON invitations (campaign_id, state);

CREATE TABLE bookings (
    id            INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id),
    slot_id       INTEGER NOT NULL REFERENCES slots (id),
    booked_at     INTEGER NOT NULL,
    released_at   INTEGER,
    release_cause TEXT
);
CREATE UNIQUE INDEX bookings_one_active ON bookings (invitation_id) WHERE released_at IS NULL;

CREATE TABLE signals (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    occurred_at  INTEGER NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX signals_candidate ON signals (candidate_id, id);
CREATE INDEX signals_campaign ON signals (campaign_id, id);

CREATE TRIGGER signals_append_only BEFORE UPDATE ON signals
BEGIN
    SELECT RAISE(ABORT, 'signals are append-only');
END;
