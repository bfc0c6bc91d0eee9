-- Confirming, moving and declining cancel what is left of an invitation's notices: without
-- these, each of them scanned every notice and message of the season.
CREATE INDEX notices_invitation ON notices (invitation_id);
CREATE INDEX outbox_invitation ON outbox (invitation_id) WHERE status = 'pending';
