-- Placement rounds: students and mentors rank each other over the positions a coordinator put
-- in a round, and the round's stable match is published once as offers or accepted applications.
CREATE TABLE rounds (
    guild_id         text   NOT NULL REFERENCES guilds (guild_id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    name             text   NOT NULL,
    scope_enterprise bigint,                     -- only this enterprise's positions, or
    scope_program    text   NOT NULL DEFAULT '', -- only positions listing this program; neither: all
    deadline         timestamptz NOT NULL,       -- ranks change until then: the end of the deadline day
    max_ranks        int    NOT NULL CHECK (max_ranks BETWEEN 1 AND 50),
    outcome          text   NOT NULL CHECK (outcome IN ('offers', 'approval')),
    seed             bigint NOT NULL,            -- the lottery's uint64 seed, bit for bit
    status           text   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'published')),
    created_by       text   NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    published_by     text   NOT NULL DEFAULT '',
    published_at     timestamptz,
    preview          jsonb,                      -- the last preview's summary
    PRIMARY KEY (guild_id, id),
    FOREIGN KEY (guild_id, scope_enterprise) REFERENCES enterprises (guild_id, id)
);
CREATE INDEX rounds_by_name ON rounds (guild_id, lower(name), id);
CREATE INDEX rounds_open_deadline ON rounds (deadline) WHERE status = 'open';

-- The positions of a round, fixed when it opens, with their free slots then. A position is in
-- at most one open round of its guild.
CREATE TABLE round_positions (
    guild_id    text   NOT NULL,
    round_id    bigint NOT NULL,
    position_id bigint NOT NULL,
    slots       int    NOT NULL CHECK (slots >= 1),
    round_open  boolean NOT NULL DEFAULT true,
    PRIMARY KEY (guild_id, round_id, position_id),
    FOREIGN KEY (guild_id, round_id) REFERENCES rounds (guild_id, id),
    FOREIGN KEY (guild_id, position_id) REFERENCES positions (guild_id, id)
);
CREATE UNIQUE INDEX round_positions_one_open ON round_positions (guild_id, position_id) WHERE round_open;

-- Ranks, one row per application of a round once either side ranked it; NULL is not ranked.
CREATE TABLE round_ranks (
    guild_id       text   NOT NULL,
    round_id       bigint NOT NULL,
    application_id bigint NOT NULL,
    student_rank   int CHECK (student_rank >= 1),
    position_rank  int CHECK (position_rank >= 1),
    PRIMARY KEY (guild_id, round_id, application_id),
    FOREIGN KEY (guild_id, round_id) REFERENCES rounds (guild_id, id),
    FOREIGN KEY (guild_id, application_id) REFERENCES applications (guild_id, id)
);

-- Every student's result and explanation, written when the round is published.
CREATE TABLE round_results (
    guild_id       text   NOT NULL,
    round_id       bigint NOT NULL,
    student_id     text   NOT NULL,
    application_id bigint,          -- matched to, or NULL
    rank           int    NOT NULL DEFAULT 0,
    ranked         int    NOT NULL DEFAULT 0,
    skipped        boolean NOT NULL DEFAULT false, -- matched, but the rules refused the move at publish
    reasons        jsonb  NOT NULL DEFAULT '[]',   -- [{"position": id, "rank": n, "why": "filled"}], best first
    PRIMARY KEY (guild_id, round_id, student_id),
    FOREIGN KEY (guild_id, round_id) REFERENCES rounds (guild_id, id),
    FOREIGN KEY (guild_id, application_id) REFERENCES applications (guild_id, id)
);
CREATE INDEX round_results_student ON round_results (guild_id, student_id);

-- Who was reminded to rank before a round's deadline: once per round and member, whichever
-- process reminds first.
CREATE TABLE round_reminders (
    guild_id    text   NOT NULL,
    round_id    bigint NOT NULL,
    user_id     text   NOT NULL,
    reminded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, round_id, user_id),
    FOREIGN KEY (guild_id, round_id) REFERENCES rounds (guild_id, id)
);

---- create above / drop below ----

DROP TABLE round_reminders;
DROP TABLE round_results;
DROP TABLE round_ranks;
DROP TABLE round_positions;
DROP TABLE rounds;
