-- Re-applying: a student who withdrew from a position may apply to it once more, on the same
-- application (attempt 2); withdrawing a second time is final.
ALTER TABLE applications ADD COLUMN attempt smallint NOT NULL DEFAULT 1 CHECK (attempt IN (1, 2));

-- The withdrawal on approval is the bot's reason, not a note someone typed: it is stored as a
-- marker that begins with a control character (no member's text keeps one) and is rendered in
-- the reader's language (placement.PlacedElsewhere). The rows written before said
-- 'placed elsewhere' in English; those the student did not write themselves become the marker.
UPDATE application_events ev SET note = E'\x1fplaced_elsewhere'
FROM applications a
WHERE a.guild_id = ev.guild_id AND a.id = ev.application_id
  AND ev.to_status = 'withdrawn' AND ev.note = 'placed elsewhere' AND ev.actor_id <> a.student_id;
UPDATE applications a SET reason = E'\x1fplaced_elsewhere'
WHERE a.status = 'withdrawn' AND a.reason = 'placed elsewhere'
  AND EXISTS (SELECT 1 FROM application_events ev
              WHERE ev.guild_id = a.guild_id AND ev.application_id = a.id
                AND ev.to_status = 'withdrawn' AND ev.note = E'\x1fplaced_elsewhere');
UPDATE audit_events au SET detail = jsonb_set(au.detail, '{note}', to_jsonb(E'\x1fplaced_elsewhere'::text))
FROM applications a
WHERE au.action = 'application.withdrawn' AND au.detail->>'note' = 'placed elsewhere'
  AND a.guild_id = au.guild_id AND au.subject = 'application:' || a.id AND au.actor_id <> a.student_id;

-- Application suggestions (one query per keystroke) walk a guild's applications by status,
-- newest first: accepted ones first, then the others.
CREATE INDEX applications_suggest ON applications (guild_id, status, id DESC);

---- create above / drop below ----

DROP INDEX applications_suggest;
UPDATE audit_events SET detail = jsonb_set(detail, '{note}', '"placed elsewhere"')
WHERE action = 'application.withdrawn' AND detail->>'note' = E'\x1fplaced_elsewhere';
UPDATE applications SET reason = 'placed elsewhere' WHERE reason = E'\x1fplaced_elsewhere';
UPDATE application_events SET note = 'placed elsewhere' WHERE note = E'\x1fplaced_elsewhere';
ALTER TABLE applications DROP COLUMN attempt;
