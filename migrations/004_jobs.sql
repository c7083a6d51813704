-- Time-driven work: positions flagged stale while they wait for their mentor's confirmation,
-- and applications whose mentors were reminded that they wait for an answer.

ALTER TABLE positions ADD COLUMN stale_flagged_at timestamptz;
ALTER TABLE applications ADD COLUMN reminded_at timestamptz;

-- Each job reads only its due rows: open positions by deadline, by last confirmation and by
-- when they were flagged; submitted applications not yet reminded about, by age.
CREATE INDEX positions_open_deadline ON positions (deadline) WHERE status = 'open';
CREATE INDEX positions_open_confirmed ON positions (confirmed_at) WHERE status = 'open';
CREATE INDEX positions_open_flagged ON positions (stale_flagged_at) WHERE status = 'open' AND stale_flagged_at IS NOT NULL;
CREATE INDEX applications_unanswered ON applications (created_at) WHERE status = 'submitted' AND reminded_at IS NULL;

-- Reopening a position is its mentor saying it is still open: it starts a new 30-day period
-- and drops a pending stale flag, whichever code path reopens it. Without this, a position
-- reopened after being closed as stale would be flagged again within the hour.
CREATE FUNCTION positions_reopen_confirms() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.confirmed_at := now();
    NEW.stale_flagged_at := NULL;
    RETURN NEW;
END;
$$;
CREATE TRIGGER positions_reopen_confirms BEFORE UPDATE OF status ON positions
    FOR EACH ROW WHEN (OLD.status = 'closed' AND NEW.status = 'open')
    EXECUTE FUNCTION positions_reopen_confirms();

---- create above / drop below ----

DROP TRIGGER positions_reopen_confirms ON positions;
DROP FUNCTION positions_reopen_confirms();
DROP INDEX applications_unanswered;
DROP INDEX positions_open_flagged;
DROP INDEX positions_open_confirmed;
DROP INDEX positions_open_deadline;
ALTER TABLE applications DROP COLUMN reminded_at;
ALTER TABLE positions DROP COLUMN stale_flagged_at;
