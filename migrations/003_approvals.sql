-- Compliance gates, placements with their two mentors, and early-end requests.

ALTER TABLE guilds
    ADD COLUMN checklist            text[]  NOT NULL DEFAULT ARRAY['agreement', 'guardian_consent', 'insurance'],
    ADD COLUMN intern_quota_percent int     NOT NULL DEFAULT 10 CHECK (intern_quota_percent BETWEEN 1 AND 100),
    ADD COLUMN mentors_tick_checks  boolean NOT NULL DEFAULT false;

-- Checklist items ticked for an application before it can be approved.
CREATE TABLE application_checks (
    guild_id       text   NOT NULL,
    application_id bigint NOT NULL,
    item           text   NOT NULL,
    ticked_by      text   NOT NULL,
    ticked_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, application_id, item),
    FOREIGN KEY (guild_id, application_id) REFERENCES applications (guild_id, id)
);

CREATE TABLE placements (
    guild_id       text   NOT NULL,
    id             bigint GENERATED ALWAYS AS IDENTITY,
    application_id bigint NOT NULL,
    position_id    bigint NOT NULL,
    enterprise_id  bigint NOT NULL,
    student_id     text   NOT NULL,
    mentor_id      text   NOT NULL DEFAULT '', -- the enterprise mentor
    supervisor_id  text   NOT NULL DEFAULT '', -- the school supervisor, picked by a coordinator
    status         text   NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    end_requested  text   NOT NULL DEFAULT '', -- the student's reason while an early end waits for approval
    end_reason     text   NOT NULL DEFAULT '',
    approved_by    text   NOT NULL,
    started_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz,
    PRIMARY KEY (guild_id, id),
    UNIQUE (guild_id, application_id),
    FOREIGN KEY (guild_id, application_id) REFERENCES applications (guild_id, id),
    FOREIGN KEY (guild_id, position_id) REFERENCES positions (guild_id, id),
    FOREIGN KEY (guild_id, enterprise_id) REFERENCES enterprises (guild_id, id)
);
-- A student never holds two active placements: the database refuses the second.
CREATE UNIQUE INDEX placements_one_active ON placements (guild_id, student_id) WHERE status = 'active';
-- Quota counts and lists by enterprise, student or supervisor; the decision trails of a student
-- and of an enterprise also reach their ended placements.
CREATE INDEX placements_enterprise ON placements (guild_id, enterprise_id, status);
CREATE INDEX placements_student ON placements (guild_id, student_id);
CREATE INDEX placements_supervisor ON placements (guild_id, supervisor_id) WHERE status = 'active';

-- A student's decision trail includes the audit events that name them.
CREATE INDEX audit_events_student ON audit_events (guild_id, (detail->>'student_id'), created_at)
    WHERE detail->>'student_id' IS NOT NULL;

CREATE INDEX applications_accepted ON applications (guild_id, updated_at, id) WHERE status = 'accepted';

---- create above / drop below ----

DROP INDEX applications_accepted;
DROP INDEX audit_events_student;
DROP TABLE placements;
DROP TABLE application_checks;
ALTER TABLE guilds DROP COLUMN checklist, DROP COLUMN intern_quota_percent, DROP COLUMN mentors_tick_checks;
