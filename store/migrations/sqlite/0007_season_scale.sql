-- A season has 100k+ candidates: nothing HR or a candidate touches may scan it.

-- The newest signal of each invitation's candidate, kept by every signal written, so "has
-- anything happened since the last assessment" is a column, not a search of the signal log.
ALTER TABLE invitations ADD COLUMN last_signal_id BIGINT NOT NULL DEFAULT 0;
-- When the stored risk assessment must be redone: set to the moment of every new signal, and by
-- each assessment to the next time the candidate's time-driven facts (hours unopened, window
-- elapsed, call reasons) can change. NULL: nothing changes until the next signal.
ALTER TABLE invitations ADD COLUMN risk_due_at BIGINT;
UPDATE invitations SET risk_due_at = 0,
    last_signal_id = COALESCE((SELECT MAX(g.id) FROM signals g WHERE g.candidate_id = invitations.candidate_id), 0);
CREATE INDEX invitations_risk_due ON invitations (risk_due_at) WHERE risk_due_at IS NOT NULL;

-- A notice's follow-ups, found by their parent (the foreign key's own lookup, too).
CREATE INDEX notices_parent ON notices (parent_id);

-- HR search a campaign by any part of a name, e-mail or phone: one lower-cased text per
-- candidate, read from an index within the campaign instead of from every candidate's row.
ALTER TABLE candidates ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (LOWER(full_name || ' ' || COALESCE(email, '') || ' ' || COALESCE(phone, ''))) VIRTUAL;
CREATE INDEX candidates_search ON candidates (campaign_id, search_text);

-- The status page walks a campaign most recently active first, by keyset.
CREATE INDEX invitations_campaign_activity ON invitations (campaign_id, last_activity_at, id);
CREATE INDEX invitations_campaign_state_activity ON invitations (campaign_id, state, last_activity_at, id);
-- Counting a campaign's expired invitations reads this index only.
CREATE INDEX invitations_campaign_state_window ON invitations (campaign_id, state, window_ends_at);
-- Both serve what this one did; every confirmation paid for keeping it.
DROP INDEX invitations_campaign_state;

-- The call list, kept with each assessment: why to phone the candidate (empty: no need), and
-- the order HR phone in (effective level, then percent, then the window's end).
ALTER TABLE risk_assessments ADD COLUMN call_reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE risk_assessments ADD COLUMN call_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risk_assessments ADD COLUMN call_percent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risk_assessments ADD COLUMN window_ends_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX risk_assessments_calls ON risk_assessments (call_level DESC, call_percent DESC, window_ends_at, candidate_id, campaign_id)
    WHERE call_reasons <> '';
