-- Reminders: each campaign's plan, the notices planned for each candidate, the durable outbox
-- of messages (one per notice and channel), and the tracked links inside sent messages.
-- Kept column-for-column in step with migrations/postgres.

CREATE TABLE reminder_plans (
    campaign_id INTEGER PRIMARY KEY REFERENCES campaigns (id),
    plan        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The candidate's work-chat (WeCom) user id; without one, their mobile number is used.
ALTER TABLE candidates ADD COLUMN work_chat_id TEXT;

CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id),
    candidate_id  INTEGER NOT NULL REFERENCES candidates (id),
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    kind          TEXT NOT NULL CHECK (kind IN ('invitation', 'detailed', 'short', 'countdown', 'follow_up', 'resend')),
    slot_id       INTEGER REFERENCES slots (id),
    parent_id     INTEGER REFERENCES notices (id),
    created_at    INTEGER NOT NULL,
    first_sent_at INTEGER,
    read_at       INTEGER,
    unread_at     INTEGER,
    cancelled_at  INTEGER
);
CREATE INDEX notices_candidate ON notices (candidate_id, id);
CREATE INDEX notices_campaign ON notices (campaign_id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    notice_id       INTEGER NOT NULL REFERENCES notices (id),
    invitation_id   INTEGER NOT NULL REFERENCES invitations (id),
    candidate_id    INTEGER NOT NULL REFERENCES candidates (id),
    campaign_id     INTEGER NOT NULL REFERENCES campaigns (id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'work_chat')),
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
    due_at          INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER,
    last_error      TEXT,
    provider_ref    TEXT,
    sent_at         INTEGER,
    opened_at       INTEGER,
    clicked_at      INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX outbox_ready ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_candidate ON outbox (candidate_id, id);
CREATE INDEX outbox_notice ON outbox (notice_id);

CREATE TABLE notice_links (
    token_hash    TEXT PRIMARY KEY,
    purpose       TEXT NOT NULL CHECK (purpose IN ('click', 'open')),
    message_id    INTEGER NOT NULL REFERENCES outbox (id),
    invitation_id INTEGER NOT NULL REFERENCES invitations (id),
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX notice_links_invitation ON notice_links (invitation_id);
