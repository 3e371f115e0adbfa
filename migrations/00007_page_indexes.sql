-- +goose Up
-- Read paths of the territory pages (issue 13), so that no page reads a
-- whole figure table: the establishment × formation rows of one région
-- (the région and académie pages, and the keys the région × formation
-- file lacks), the establishment figures of one région.
CREATE INDEX ij_uai_formation_region ON ij_uai_formation(region, millesime, voie, code);
CREATE INDEX ij_etab_region ON ij_etab(region, sous_population);

-- +goose Down
DROP INDEX ij_uai_formation_region, ij_etab_region;
