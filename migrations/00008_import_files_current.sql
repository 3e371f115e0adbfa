-- +goose Up
-- The no-op short-circuit of `vitrine import` (internal/importer/current.go):
-- a file whose sha256 is already loaded is skipped when its rows are still
-- the current ones. Two facts per file make that decidable without reading
-- the figure tables:
--   changed_tables: the tables this file inserted, updated or deleted rows in;
--   replaced_by: the sha256 of the files of the same run, loaded after it,
--           that replaced some of its rows (a newer file holding the same
--           key, a real file deleting demonstration rows); NULL when not
--           recorded (files imported before this migration: read once more).
ALTER TABLE import_files
    ADD COLUMN changed_tables text[] NOT NULL DEFAULT '{}',
    ADD COLUMN replaced_by text[];
CREATE INDEX import_files_sha256 ON import_files(sha256);

-- The import's scope checks (demonstration rows where real ones exist, the
-- sums against the regional file, the replacement of demonstration rows)
-- read the rows of the file's millésimes and voie, through this index
-- rather than by a scan of the whole table.
CREATE INDEX ij_uai_formation_millesime ON ij_uai_formation(millesime, voie);

-- +goose Down
DROP INDEX ij_uai_formation_millesime;
DROP INDEX import_files_sha256;
ALTER TABLE import_files DROP COLUMN replaced_by, DROP COLUMN changed_tables;
