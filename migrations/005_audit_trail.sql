-- The audit trail becomes the one record the decision trail is read from: every change writes its
-- audit events with it, an application's moves included (application_events stays the
-- application's timeline). An event may also belong to an enterprise's trail: the moves of the
-- applications to its positions, the changes of its positions and placements.
ALTER TABLE audit_events ADD COLUMN enterprise_id bigint;
CREATE INDEX audit_events_enterprise ON audit_events (guild_id, enterprise_id, created_at)
    WHERE enterprise_id IS NOT NULL;

-- The moves recorded before, as the trail showed them.
INSERT INTO audit_events (guild_id, actor_id, action, subject, enterprise_id, detail, created_at)
SELECT ev.guild_id, ev.actor_id, 'application.' || ev.to_status, 'application:' || ev.application_id,
       p.enterprise_id, jsonb_build_object('from', ev.from_status, 'note', ev.note), ev.created_at
FROM application_events ev
JOIN applications a ON a.guild_id = ev.guild_id AND a.id = ev.application_id
JOIN positions p ON p.guild_id = a.guild_id AND p.id = a.position_id
ORDER BY ev.id;

-- The decisions about enterprises, their positions (subject enterprise:<id> until now) and their
-- placements belong to the enterprise's trail.
UPDATE audit_events SET enterprise_id = substr(subject, 12)::bigint
WHERE subject ~ '^enterprise:[0-9]{1,18}$';
UPDATE audit_events au SET enterprise_id = pl.enterprise_id
FROM placements pl
WHERE pl.guild_id = au.guild_id AND au.subject = 'placement:' || pl.id;

---- create above / drop below ----

-- The trail read the moves from application_events before.
DELETE FROM audit_events WHERE action LIKE 'application.%';
DROP INDEX audit_events_enterprise;
ALTER TABLE audit_events DROP COLUMN enterprise_id;
