-- Members' display names (server nickname, else global name, else username), remembered from
-- their interactions so that coordinators can find a student's applications by name in /audit.
-- Names are personal data: only ephemeral coordinator views show them.
ALTER TABLE members ADD COLUMN name text NOT NULL DEFAULT '';

-- Enterprise lists are paged by name: (lower(name), id) is the keyset, and a name search walks
-- the guild's enterprises in that order, stopping once a page is full.
CREATE INDEX enterprises_by_name ON enterprises (guild_id, lower(name), id);

---- create above / drop below ----

DROP INDEX enterprises_by_name;
ALTER TABLE members DROP COLUMN name;
