-- +goose Up
-- Read paths of the territory pages (issue 13): the establishment ×
-- formation rows of one région (the région and académie pages, and the
-- check for keys the région × formation file lacks), without a scan of
-- the whole table.
CREATE INDEX ij_uai_formation_region ON ij_uai_formation(region, millesime, voie, code);

-- +goose Down
DROP INDEX ij_uai_formation_region;
