-- The interview guide: per-campaign Markdown in both languages (empty means Turnout's
-- default), and each invitation's reading progress.
ALTER TABLE campaigns ADD COLUMN guide_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN guide_en TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN guide_progress TEXT NOT NULL DEFAULT 'not_opened'
    CHECK (guide_progress IN ('not_opened', 'opened', 'finished', 'acknowledged'));
ALTER TABLE invitations ADD COLUMN guide_seconds BIGINT NOT NULL DEFAULT 0;
