-- +goose Up
-- INSEE taux de chômage localisés (SOURCES.md §E6): the labour-market
-- context of a territory beside its insertion rates. One rate per
-- territory and year, in percent with one decimal as INSEE publishes it
-- (numeric, so that a re-import compares equal and changes nothing).
CREATE TABLE insee_chomage_region (
    region  text NOT NULL,              -- INSEE région code (53)
    annee   integer NOT NULL,
    taux    numeric(4,1) NOT NULL CHECK (taux BETWEEN 0 AND 100),
    file_id bigint NOT NULL,
    PRIMARY KEY (region, annee)
);

CREATE TABLE insee_chomage_departement (
    departement text NOT NULL,          -- 3 characters: 001, 02A, 971
    annee       integer NOT NULL,
    libelle     text NOT NULL,
    taux        numeric(4,1) NOT NULL CHECK (taux BETWEEN 0 AND 100),
    file_id     bigint NOT NULL,
    PRIMARY KEY (departement, annee)
);

-- The licence of a source file (the INSEE files: Licence Ouverte 2.0);
-- NULL for the formats that do not declare one.
ALTER TABLE import_files ADD COLUMN licence text;

-- +goose Down
ALTER TABLE import_files DROP COLUMN licence;
DROP TABLE insee_chomage_departement;
DROP TABLE insee_chomage_region;
