-- Search that finds Chinese words and partial words.
--
-- The 'simple' parser keeps a run of Chinese characters (and any Latin letters touching it) as
-- one token, so "厨房" never matched "厨房帮工" and "Java" never matched "Java开发". A trigram
-- index would not do instead: pg_trgm needs three characters before it can use its index (most
-- Chinese words have two), and under the C locale it does not see Chinese characters as letters
-- at all. So the text is rewritten before it is parsed, and the one GIN index on the vector
-- keeps serving every search:
--   * Chinese and wide punctuation become spaces, and each run of Han characters is cut off from
--     the Latin text beside it ("Java开发" gives "java" and the run "开发");
--   * a run of two or more characters is written as its overlapping bigrams, in order, where the
--     run stood ("厨房帮工" gives 厨房 房帮 帮工), so that a keyword of n >= 2 characters is the
--     phrase of its bigrams ('厨房' <-> '房帮' <-> '帮工') and matches exactly where the text
--     holds it; a run of one character stays as it is;
--   * every Han character is added once more as a unigram at the end, for one-character
--     keywords.
-- Queries (search_query) turn every lexeme of websearch_to_tsquery into a prefix, so "Suz" finds
-- "Suzhou" and "back" finds "Backend", and restrict it to the weights searched: title A, skills
-- B, description C for keywords, location D for the location filter.

-- The wide and Chinese punctuation that the parser would otherwise take for letters.
CREATE FUNCTION search_spaces(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(t, '[\u00a0\u00b7\u2000-\u206f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]', ' ', 'g');

-- The text as the index parses it: Han runs as bigrams where they stood, then every Han
-- character on its own. (The ranges are the CJK Unified Ideographs, Extension A and the
-- compatibility ideographs; internal/postgres/position.go cuts keywords on the same ranges.)
CREATE FUNCTION search_words(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(
               regexp_replace(
                   regexp_replace(search_spaces(t), '([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)', ' \1 ', 'g'),
                   -- each character followed by another starts a bigram: "abc" becomes "a ab bc"
                   '([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])', '\1 \1', 'g'),
               -- and the lone first character of a run of two or more goes: "ab bc"
               ' [\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff] (?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2})', ' ', 'g')
        || ' ' ||
           regexp_replace(regexp_replace(t, '[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+', ' ', 'g'),
               '([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])', ' \1', 'g');

-- A keyword as a query on the vector: websearch syntax (phrases, -excluded, or), every lexeme a
-- prefix restricted to the weights given. The keyword's Han runs come already rewritten as
-- bigram phrases (see searchWords in internal/postgres/position.go).
CREATE FUNCTION search_query(words text, weights text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(websearch_to_tsquery('simple', search_spaces(words))::text,
                          '''((?:[^'']|'''')*)''', '''\1'':*' || weights, 'g')::tsquery;

CREATE FUNCTION position_search_vector(title text, skills text[], description text, location text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('simple', search_words(title)), 'A') ||
           setweight(to_tsvector('simple', search_words(array_to_string(skills, ' '))), 'B') ||
           setweight(to_tsvector('simple', search_words(description)), 'C') ||
           setweight(to_tsvector('simple', search_words(location)), 'D');

-- Dropping the column drops positions_search with it; the new index has a name of its own.
ALTER TABLE positions DROP COLUMN search;
DROP FUNCTION position_search_vector(text, text[], text);
ALTER TABLE positions ADD COLUMN search tsvector
    GENERATED ALWAYS AS (position_search_vector(title, skills, description, location)) STORED;
CREATE INDEX positions_words ON positions USING gin (search);

---- create above / drop below ----

ALTER TABLE positions DROP COLUMN search;
DROP FUNCTION position_search_vector(text, text[], text, text);
DROP FUNCTION search_query(text, text);
DROP FUNCTION search_words(text);
DROP FUNCTION search_spaces(text);
-- As 002_placement created it.
CREATE FUNCTION position_search_vector(title text, skills text[], description text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('simple', title), 'A') ||
           setweight(to_tsvector('simple', array_to_string(skills, ' ')), 'B') ||
           setweight(to_tsvector('simple', description), 'C');
ALTER TABLE positions ADD COLUMN search tsvector
    GENERATED ALWAYS AS (position_search_vector(title, skills, description)) STORED;
CREATE INDEX positions_search ON positions USING gin (search);
