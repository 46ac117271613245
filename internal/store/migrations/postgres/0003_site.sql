-- Texts of the public site that editors change without a new release
-- (the appeal on the home page, per language), and figures that other
-- parties published (official death tolls, commissions' numbers), shown
-- beside ours. Times are Unix microseconds (UTC); days are yyyymmdd.

-- One text per language and name; setting it again replaces it.
CREATE TABLE site_texts (
    lang       TEXT NOT NULL,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (lang, name)
);

-- count_name is the count of ours the figure compares with ('' for none).
CREATE TABLE site_figures (
    id         TEXT PRIMARY KEY,
    party      TEXT NOT NULL,
    what       TEXT NOT NULL,
    count_name TEXT NOT NULL DEFAULT '',
    value      BIGINT NOT NULL,
    as_of      INTEGER NOT NULL,
    source     TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    added_at   BIGINT NOT NULL
);
CREATE INDEX site_figures_as_of ON site_figures (as_of);
