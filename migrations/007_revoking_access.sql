-- Revoking access: a coordinator may suspend a verified enterprise (and restore it), which closes
-- its open positions until it is restored; a guild may name a role whose members can be school
-- supervisors besides the coordinators.

ALTER TABLE enterprises DROP CONSTRAINT enterprises_status_check,
    ADD CONSTRAINT enterprises_status_check CHECK (status IN ('pending', 'verified', 'refused', 'suspended'));

-- Positions closed because their enterprise was suspended: restoring it reopens them.
ALTER TABLE positions ADD COLUMN closed_by_suspension boolean NOT NULL DEFAULT false;

ALTER TABLE guilds ADD COLUMN supervisor_role_id text NOT NULL DEFAULT '';

---- create above / drop below ----

ALTER TABLE guilds DROP COLUMN supervisor_role_id;
ALTER TABLE positions DROP COLUMN closed_by_suspension;
UPDATE enterprises SET status = 'verified' WHERE status = 'suspended';
ALTER TABLE enterprises DROP CONSTRAINT enterprises_status_check,
    ADD CONSTRAINT enterprises_status_check CHECK (status IN ('pending', 'verified', 'refused'));
