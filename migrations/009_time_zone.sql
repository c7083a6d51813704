-- Each guild keeps its own time zone (an IANA name): deadlines end at local midnight, the jobs
-- and the digest follow the school's day.
ALTER TABLE guilds ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

---- create above / drop below ----

ALTER TABLE guilds DROP COLUMN time_zone;
