-- During the internship: the student's weekly logs, the mentor's weekly attendance, the midterm
-- and final evaluations by both mentors, and the placement's completion.

-- One log per placement and week. Week 1 starts on the position's start date. The student edits
-- it until the mentor reviews it; a returned log is edited and submitted again.
CREATE TABLE placement_logs (
    guild_id       text   NOT NULL,
    placement_id   bigint NOT NULL,
    week           int    NOT NULL CHECK (week >= 1),
    did            text   NOT NULL,
    learned        text   NOT NULL DEFAULT '',
    problems       text   NOT NULL DEFAULT '',
    hours          numeric(5, 1) NOT NULL CHECK (hours BETWEEN 0 AND 168),
    day_hours      numeric(4, 1)[],       -- Monday to Sunday of the week, when the student gave them
    night_work     boolean NOT NULL DEFAULT false,
    holiday_work   boolean NOT NULL DEFAULT false,
    status         text   NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'returned', 'confirmed', 'closed')),
    mentor_comment text   NOT NULL DEFAULT '',
    reviewed_by    text   NOT NULL DEFAULT '',
    reviewed_at    timestamptz,
    grade          text   NOT NULL DEFAULT '', -- on the school's scale; '' until the supervisor grades
    supervisor_comment text NOT NULL DEFAULT '',
    graded_by      text   NOT NULL DEFAULT '',
    graded_at      timestamptz,
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, placement_id, week),
    FOREIGN KEY (guild_id, placement_id) REFERENCES placements (guild_id, id)
);
-- What waits for a mentor (submitted) and for a supervisor (confirmed, not graded).
CREATE INDEX placement_logs_waiting ON placement_logs (guild_id, placement_id) WHERE status = 'submitted' OR (status = 'confirmed' AND grade = '');

-- The mentor's confirmation of a week's attendance: the days attended, the hours, absences
-- with their reasons, and the flags the week raised.
CREATE TABLE placement_attendance (
    guild_id      text   NOT NULL,
    placement_id  bigint NOT NULL,
    week          int    NOT NULL CHECK (week >= 1),
    days_attended int    NOT NULL CHECK (days_attended BETWEEN 0 AND 7),
    hours         numeric(5, 1) NOT NULL CHECK (hours BETWEEN 0 AND 168),
    day_hours     numeric(4, 1)[],
    sick_days       int NOT NULL DEFAULT 0 CHECK (sick_days BETWEEN 0 AND 7),
    leave_days      int NOT NULL DEFAULT 0 CHECK (leave_days BETWEEN 0 AND 7),
    unexcused_days  int NOT NULL DEFAULT 0 CHECK (unexcused_days BETWEEN 0 AND 7),
    flags         text[] NOT NULL DEFAULT '{}', -- 'week_over_44', 'day_over_8', 'night', 'holiday'
    confirmed_by  text   NOT NULL,
    confirmed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, placement_id, week),
    FOREIGN KEY (guild_id, placement_id) REFERENCES placements (guild_id, id)
);

-- Midterm and final evaluations, one of each by the enterprise mentor and by the school
-- supervisor, on the five-part rubric, 1 to 5 each.
CREATE TABLE placement_evaluations (
    guild_id      text   NOT NULL,
    placement_id  bigint NOT NULL,
    kind          text   NOT NULL CHECK (kind IN ('midterm', 'final')),
    evaluator     text   NOT NULL CHECK (evaluator IN ('mentor', 'supervisor')),
    evaluator_id  text   NOT NULL,
    skill         smallint NOT NULL CHECK (skill BETWEEN 1 AND 5),
    attitude      smallint NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    teamwork      smallint NOT NULL CHECK (teamwork BETWEEN 1 AND 5),
    communication smallint NOT NULL CHECK (communication BETWEEN 1 AND 5),
    safety        smallint NOT NULL CHECK (safety BETWEEN 1 AND 5),
    comment       text   NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, placement_id, kind, evaluator),
    FOREIGN KEY (guild_id, placement_id) REFERENCES placements (guild_id, id)
);

-- A placement is completed when both final evaluations are in: its final grade (0 to 100, from
-- the school's weights) is kept, and it can no longer end early.
ALTER TABLE placements DROP CONSTRAINT placements_status_check;
ALTER TABLE placements ADD CONSTRAINT placements_status_check CHECK (status IN ('active', 'ended', 'completed'));
ALTER TABLE placements ADD COLUMN final_grade numeric(5, 2), ADD COLUMN completed_at timestamptz;
CREATE INDEX placements_mentor ON placements (guild_id, mentor_id) WHERE status = 'active';

-- The school's rules for logs and evaluations.
ALTER TABLE guilds
    ADD COLUMN log_min_chars int NOT NULL DEFAULT 0 CHECK (log_min_chars BETWEEN 0 AND 4000),
    ADD COLUMN log_grades text[] NOT NULL DEFAULT '{A,B,C,D,E}',
    ADD COLUMN enterprise_weight int NOT NULL DEFAULT 60 CHECK (enterprise_weight BETWEEN 0 AND 100),
    ADD COLUMN midterm_week int NOT NULL DEFAULT 4 CHECK (midterm_week BETWEEN 1 AND 52),
    ADD COLUMN unexcused_percent int NOT NULL DEFAULT 25 CHECK (unexcused_percent BETWEEN 1 AND 100);

---- create above / drop below ----

ALTER TABLE guilds DROP COLUMN log_min_chars, DROP COLUMN log_grades, DROP COLUMN enterprise_weight,
    DROP COLUMN midterm_week, DROP COLUMN unexcused_percent;
DROP INDEX placements_mentor;
ALTER TABLE placements DROP COLUMN final_grade, DROP COLUMN completed_at;
ALTER TABLE placements DROP CONSTRAINT placements_status_check;
ALTER TABLE placements ADD CONSTRAINT placements_status_check CHECK (status IN ('active', 'ended'));
DROP TABLE placement_evaluations;
DROP TABLE placement_attendance;
DROP TABLE placement_logs;
