-- +goose Up
-- The data release notes (/a-propos/donnees and its Atom feed): what each
-- import run changed, per file, table and millésime, counted by the
-- importer from the merge statements themselves (rows inserted, updated,
-- deleted) inside the import transaction; never written by hand. A run
-- « sans changement » has no row here. millesime is '' for the tables
-- that have none (referentials).
CREATE TABLE import_run_changes (
    run_id     bigint NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
    file_id    bigint NOT NULL,
    source     text   NOT NULL, -- the format's Kind (vitrine formats)
    producer   text   NOT NULL,
    table_name text   NOT NULL,
    millesime  text   NOT NULL DEFAULT '',
    ajoutees   integer NOT NULL DEFAULT 0,
    modifiees  integer NOT NULL DEFAULT 0,
    supprimees integer NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, file_id, table_name, millesime)
);

-- +goose Down
DROP TABLE import_run_changes;
