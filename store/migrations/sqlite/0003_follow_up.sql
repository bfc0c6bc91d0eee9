-- HR's follow-up: candidates' feedback, matching people across campaigns, interview outcomes,
-- the attendance-risk model with its stored assessments and HR's overrides, and phone calls.

-- Normalised contact details (see turnout_domain::contact), filled by Turnout on insert.
ALTER TABLE candidates ADD COLUMN email_norm TEXT;
ALTER TABLE candidates ADD COLUMN phone_norm TEXT;
CREATE INDEX candidates_email_norm ON candidates (email_norm);
CREATE INDEX candidates_phone_norm ON candidates (phone_norm);

-- Whether the candidate attended: the model's training label.
ALTER TABLE invitations ADD COLUMN outcome TEXT CHECK (outcome IN ('attended', 'no_show'));
ALTER TABLE invitations ADD COLUMN outcome_at INTEGER;

-- One answer per kind per candidate; editing replaces it (each version is also a signal).
CREATE TABLE feedback (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    kind         TEXT NOT NULL CHECK (kind IN ('survey', 'device_problem')),
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    relevance    INTEGER CHECK (relevance BETWEEN 1 AND 5),
    area         TEXT,
    body         TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (candidate_id, kind),
    CHECK ((kind = 'survey') = (satisfaction IS NOT NULL AND relevance IS NOT NULL)),
    CHECK ((kind = 'device_problem') = (area IS NOT NULL))
);
CREATE INDEX feedback_campaign ON feedback (campaign_id, kind);

-- Trained models. Version 1 is the documented defaults and is never stored here.
CREATE TABLE risk_models (
    id                   INTEGER PRIMARY KEY,
    version              INTEGER NOT NULL UNIQUE CHECK (version > 1),
    trained_at           INTEGER NOT NULL,
    trained_by           INTEGER REFERENCES hr_users (id),
    weights              TEXT NOT NULL,
    bias                 REAL NOT NULL,
    examples             INTEGER NOT NULL,
    no_shows             INTEGER NOT NULL,
    auc_cv               REAL NOT NULL,
    top_quartile_capture REAL NOT NULL,
    calibration          TEXT NOT NULL
);

-- The one row of model settings: thresholds and which model is in use (1 = defaults).
CREATE TABLE risk_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    medium_threshold  REAL NOT NULL,
    high_threshold    REAL NOT NULL,
    active_version    INTEGER NOT NULL DEFAULT 1,
    updated_at        INTEGER NOT NULL,
    CHECK (0 < medium_threshold AND medium_threshold < high_threshold AND high_threshold < 1)
);

-- Each candidate's latest assessment; `signal_id` is the newest signal it has seen.
CREATE TABLE risk_assessments (
    candidate_id  INTEGER PRIMARY KEY REFERENCES candidates (id),
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    model_version INTEGER NOT NULL,
    probability   REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
    level         TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
    reasons       TEXT NOT NULL,
    assessed_at   INTEGER NOT NULL,
    signal_id     INTEGER NOT NULL
);
CREATE INDEX risk_assessments_campaign ON risk_assessments (campaign_id, probability);

-- HR's current override of the rating (its history is in the signal log).
CREATE TABLE risk_overrides (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidates (id),
    level        TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
    note         TEXT NOT NULL,
    hr_user_id   INTEGER NOT NULL REFERENCES hr_users (id),
    created_at   INTEGER NOT NULL
);

CREATE TABLE calls (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    hr_user_id   INTEGER NOT NULL REFERENCES hr_users (id),
    outcome      TEXT NOT NULL CHECK (outcome IN ('reached_confirmed', 'reached_will_reschedule', 'no_answer', 'wrong_number', 'declined')),
    reached      BOOLEAN NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    called_at    INTEGER NOT NULL
);
CREATE INDEX calls_candidate ON calls (candidate_id, called_at);
