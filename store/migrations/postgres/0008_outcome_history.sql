-- Earlier interviews with a recorded outcome, found by candidate from this index alone: the risk
-- refresh looks up everyone sharing an e-mail or phone with a batch, and most have no outcome.
CREATE INDEX invitations_outcome ON invitations (candidate_id, outcome, issued_at) WHERE outcome IS NOT NULL;
