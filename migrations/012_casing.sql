-- Skills and programs keep the casing they were typed in, for display ("CNC", "AutoCAD"), and
-- match whatever the casing: filters and recommendations compare lower_all() of both sides, on
-- these indexes. Rows saved before keep their lower-cased values, which match the same way.
CREATE FUNCTION lower_all(items text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN ARRAY(SELECT lower(item) FROM unnest(items) AS item);

DROP INDEX positions_skills;
DROP INDEX positions_programs;
CREATE INDEX positions_skill_keys ON positions USING gin (lower_all(skills));
CREATE INDEX positions_program_keys ON positions USING gin (lower_all(programs));

---- create above / drop below ----

DROP INDEX positions_program_keys;
DROP INDEX positions_skill_keys;
DROP FUNCTION lower_all(text[]);
CREATE INDEX positions_skills ON positions USING gin (skills);
CREATE INDEX positions_programs ON positions USING gin (programs);
