-- Per-guild setup: role mapping and channels. Every other table references a guild.
CREATE TABLE guilds (
    guild_id                 text PRIMARY KEY,
    coordinator_role_id      text NOT NULL DEFAULT '',
    mentor_role_id           text NOT NULL DEFAULT '',
    student_role_id          text NOT NULL DEFAULT '',
    announcements_channel_id text NOT NULL DEFAULT '',
    digest_channel_id        text NOT NULL DEFAULT '',
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);

-- Every decision and setting change, readable by coordinators.
CREATE TABLE audit_events (
    guild_id   text NOT NULL REFERENCES guilds (guild_id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    actor_id   text NOT NULL,
    action     text NOT NULL,
    subject    text NOT NULL DEFAULT '',
    detail     jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, id)
);
CREATE INDEX audit_events_subject ON audit_events (guild_id, subject, created_at);

---- create above / drop below ----

DROP TABLE audit_events;
DROP TABLE guilds;
