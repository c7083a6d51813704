-- Enterprises, mentors, student profiles, positions and applications, with the member facts the
-- bot keeps (language, undelivered DMs). Every row belongs to one guild.

ALTER TABLE guilds
    ADD COLUMN open_application_cap int NOT NULL DEFAULT 10 CHECK (open_application_cap BETWEEN 1 AND 100),
    ADD COLUMN offer_expiry_days    int NOT NULL DEFAULT 7  CHECK (offer_expiry_days BETWEEN 1 AND 60);

CREATE TABLE members (
    guild_id   text NOT NULL REFERENCES guilds (guild_id),
    user_id    text NOT NULL,
    locale     text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE enterprises (
    guild_id     text NOT NULL REFERENCES guilds (guild_id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    name         text NOT NULL,
    industry     text NOT NULL DEFAULT '',
    city         text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    staff_size   int  NOT NULL CHECK (staff_size > 0),
    status       text NOT NULL CHECK (status IN ('pending', 'verified', 'refused')),
    requested_by text NOT NULL DEFAULT '',
    decided_by   text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, id)
);
CREATE UNIQUE INDEX enterprises_name ON enterprises (guild_id, lower(name)) WHERE status <> 'refused';

CREATE TABLE enterprise_mentors (
    guild_id      text   NOT NULL,
    enterprise_id bigint NOT NULL,
    user_id       text   NOT NULL,
    linked_by     text   NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, enterprise_id, user_id),
    FOREIGN KEY (guild_id, enterprise_id) REFERENCES enterprises (guild_id, id)
);
CREATE INDEX enterprise_mentors_user ON enterprise_mentors (guild_id, user_id);

CREATE TABLE profiles (
    guild_id       text NOT NULL REFERENCES guilds (guild_id),
    user_id        text NOT NULL,
    program        text NOT NULL DEFAULT '',
    cohort         text NOT NULL DEFAULT '',
    skills         text[] NOT NULL DEFAULT '{}',
    certificates   text[] NOT NULL DEFAULT '{}',
    locations      text[] NOT NULL DEFAULT '{}',
    available_from date,
    available_to   date,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, user_id)
);

-- A generated column may only call immutable functions, and array_to_string is merely stable
-- (its element type's output function could depend on settings). For text[] it is immutable in
-- fact, so this wrapper says so.
CREATE FUNCTION position_search_vector(title text, skills text[], description text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('simple', title), 'A') ||
           setweight(to_tsvector('simple', array_to_string(skills, ' ')), 'B') ||
           setweight(to_tsvector('simple', description), 'C');

CREATE TABLE positions (
    guild_id      text   NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    enterprise_id bigint NOT NULL,
    title         text   NOT NULL,
    description   text   NOT NULL DEFAULT '',
    skills        text[] NOT NULL DEFAULT '{}', -- lower-cased
    programs      text[] NOT NULL DEFAULT '{}', -- lower-cased
    location      text   NOT NULL DEFAULT '',
    remote        boolean NOT NULL DEFAULT false,
    slots         int    NOT NULL CHECK (slots BETWEEN 1 AND 500),
    taken         int    NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= slots), -- offered + accepted + approved
    start_date    date   NOT NULL,
    end_date      date   NOT NULL CHECK (end_date >= start_date),
    deadline      date   NOT NULL,
    stipend       text   NOT NULL DEFAULT '',
    status        text   NOT NULL CHECK (status IN ('open', 'closed')),
    created_by    text   NOT NULL,
    confirmed_at  timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (position_search_vector(title, skills, description)) STORED,
    PRIMARY KEY (guild_id, id),
    FOREIGN KEY (guild_id, enterprise_id) REFERENCES enterprises (guild_id, id)
);
-- Browsing walks open positions newest first, keyset on id (by location: positions_location);
-- keyword, skill and program filters use the GIN indexes.
CREATE INDEX positions_browse ON positions (guild_id, id DESC) WHERE status = 'open';
CREATE INDEX positions_location ON positions (guild_id, lower(location), id DESC) WHERE status = 'open';
CREATE INDEX positions_enterprise ON positions (guild_id, enterprise_id, id DESC);
CREATE INDEX positions_search ON positions USING gin (search);
CREATE INDEX positions_skills ON positions USING gin (skills);
CREATE INDEX positions_programs ON positions USING gin (programs);

CREATE TABLE applications (
    guild_id    text   NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    position_id bigint NOT NULL,
    student_id  text   NOT NULL,
    status      text   NOT NULL CHECK (status IN ('submitted', 'shortlisted', 'offered', 'accepted', 'approved',
                                                  'withdrawn', 'rejected', 'declined', 'expired')),
    motivation  text   NOT NULL,
    reason      text   NOT NULL DEFAULT '', -- the last decision's note the student sees
    offered_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, id),
    UNIQUE (guild_id, position_id, student_id),
    FOREIGN KEY (guild_id, position_id) REFERENCES positions (guild_id, id)
);
CREATE INDEX applications_student ON applications (guild_id, student_id, id DESC);
CREATE INDEX applications_position ON applications (guild_id, position_id, id);
CREATE INDEX applications_offered ON applications (offered_at) WHERE status = 'offered';

-- Every transition with who made it, when, and why.
CREATE TABLE application_events (
    guild_id       text   NOT NULL,
    id             bigint GENERATED ALWAYS AS IDENTITY,
    application_id bigint NOT NULL,
    from_status    text   NOT NULL,
    to_status      text   NOT NULL,
    actor_id       text   NOT NULL,
    note           text   NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, id),
    FOREIGN KEY (guild_id, application_id) REFERENCES applications (guild_id, id)
);
CREATE INDEX application_events_application ON application_events (guild_id, application_id, id);

-- Durable notifications: written in the same transaction as the change they announce, sent by
-- the outbox workers (any number of replicas), each exactly once by its dedup key.
CREATE TABLE notifications (
    guild_id        text   NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    dedup_key       text   NOT NULL,
    user_id         text   NOT NULL DEFAULT '', -- a DM to this member, or
    channel_id      text   NOT NULL DEFAULT '', -- a post in this channel
    message_key     text   NOT NULL,
    locale          text   NOT NULL DEFAULT '', -- language to write in when the recipient's is unknown
    data            jsonb  NOT NULL DEFAULT '{}',
    status          text   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'undeliverable', 'shown', 'failed')),
    attempts        int    NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text   NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    PRIMARY KEY (guild_id, id),
    UNIQUE (guild_id, dedup_key),
    CHECK ((user_id = '') <> (channel_id = ''))
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_undeliverable ON notifications (guild_id, user_id) WHERE status = 'undeliverable';

---- create above / drop below ----

DROP TABLE notifications;
DROP TABLE application_events;
DROP TABLE applications;
DROP TABLE positions;
DROP FUNCTION position_search_vector(text, text[], text);
DROP TABLE profiles;
DROP TABLE enterprise_mentors;
DROP TABLE enterprises;
DROP TABLE members;
ALTER TABLE guilds DROP COLUMN open_application_cap, DROP COLUMN offer_expiry_days;
