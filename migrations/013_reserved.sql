-- Number 13 is the placement rounds' migration (013_rounds.sql), built on another branch. This
-- empty stand-in keeps the numbering whole so 014 applies here; it goes when 013_rounds.sql
-- arrives (two files numbered 13 stop every migration with "Duplicate migration 13").
SELECT 1;

---- create above / drop below ----

SELECT 1;
