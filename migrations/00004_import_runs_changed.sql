-- +goose Up
-- A run that changes no row (the same files imported again) is kept as a
-- trace, « sans changement », but makes no new data version: the data
-- version is the id of the last run that changed something, so the serving
-- nodes neither flush their page cache nor rebuild their search index.
-- Earlier runs count as changed (the data version stays what it was).
ALTER TABLE import_runs ADD COLUMN changed boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE import_runs DROP COLUMN changed;
