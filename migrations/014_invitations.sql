-- Mentors invite students who fit a position. Each invitation is kept (the privacy export reads
-- them): who invited whom to what, when, and when the student said no thanks. A student is
-- invited to a position once; the per-day limit counts a position's invitations since the
-- start of the school's day.
CREATE TABLE invitations (
    guild_id    text   NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    position_id bigint NOT NULL,
    student_id  text   NOT NULL,
    mentor_id   text   NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    declined_at timestamptz,
    PRIMARY KEY (guild_id, id),
    UNIQUE (guild_id, position_id, student_id),
    FOREIGN KEY (guild_id, position_id) REFERENCES positions (guild_id, id)
);
CREATE INDEX invitations_position_day ON invitations (guild_id, position_id, created_at);
CREATE INDEX invitations_student ON invitations (guild_id, student_id);

-- How many invitations one position may send a day (the school's day).
ALTER TABLE guilds ADD COLUMN invitations_per_day int NOT NULL DEFAULT 10 CHECK (invitations_per_day BETWEEN 1 AND 100);

-- A student may turn invitations off; the candidates of a position are found by shared skill or
-- program on these indexes, as positions are for a student's recommendations.
ALTER TABLE profiles ADD COLUMN invitations_off boolean NOT NULL DEFAULT false;
CREATE INDEX profiles_skill_keys ON profiles USING gin (lower_all(skills)) WHERE NOT invitations_off;
CREATE INDEX profiles_program_key ON profiles (guild_id, lower(program)) WHERE NOT invitations_off;

---- create above / drop below ----

DROP INDEX profiles_program_key;
DROP INDEX profiles_skill_keys;
ALTER TABLE profiles DROP COLUMN invitations_off;
ALTER TABLE guilds DROP COLUMN invitations_per_day;
DROP TABLE invitations;
