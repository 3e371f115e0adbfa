-- +goose Up

-- InserJeunes per establishment × formation. Two layouts feed it: the DEPP
-- API (counts and rates, source depp_api_uai) and the portal export
-- fr-en-inserjeunes-lycee_pro-formation-fine (rates and parts only, source
-- portail_formation_fine). Several sources may hold the same key; the
-- precedence column declares which one is shown (higher wins).
CREATE TABLE ij_uai_formation (
    uai                    text NOT NULL,
    millesime              text NOT NULL,
    voie                   text NOT NULL,
    code                   text NOT NULL,   -- MEFSTAT11 (scolaire) or CFD (apprentissage)
    source                 text NOT NULL,
    precedence             integer NOT NULL,
    millesime_label        text NOT NULL,
    region                 text,            -- INSEE
    cfd                    text,
    mefstat11              text,
    nb_annee_term          integer,
    nb_sortant             integer,
    nb_poursuite_etudes    integer,
    nb_en_emploi_6_mois    integer,
    nb_en_emploi_12_mois   integer,
    nb_en_emploi_18_mois   integer,
    nb_en_emploi_24_mois   integer,
    taux_poursuite_etudes  integer,
    taux_emploi_6_mois     integer,
    taux_emploi_12_mois    integer,
    taux_emploi_18_mois    integer,
    taux_emploi_24_mois    integer,
    part_poursuite_etudes  integer,
    part_emploi_6_mois     integer,
    part_autres_situations integer,
    file_id                bigint NOT NULL REFERENCES import_files(id),
    PRIMARY KEY (uai, millesime, voie, code, source)
);
CREATE INDEX ij_uai_formation_code ON ij_uai_formation(code, millesime);
CREATE INDEX ij_uai_formation_file ON ij_uai_formation(file_id);

-- InserSup (MESR-SIES): one row per établissement × diplôme (SISE) ×
-- promotion(s) × obtention × genre × nationalité × horizon (months).
-- Rates are kept as published (two decimals).
CREATE TABLE insersup (
    uai                           text NOT NULL,
    sise                          text NOT NULL,
    millesime                     text NOT NULL,   -- 2021 or 2020_2021 (cumul)
    obtention_diplome             text NOT NULL,   -- diplômé | ensemble
    genre                         text NOT NULL,   -- femme | homme | ensemble
    nationalite                   text NOT NULL,   -- français | ensemble …
    date_inser                    integer NOT NULL, -- 6, 12, 18, 24, 30
    millesime_label               text NOT NULL,
    date_jeu                      text,
    etablissement_nom             text,
    id_paysage                    text,
    region                        text,            -- INSEE
    academie                      text,
    type_diplome                  text,
    type_diplome_long             text,
    libelle_diplome               text,
    dom                           text,
    dom_lib                       text,
    discipli                      text,
    discipli_lib                  text,
    sectdis                       text,
    sectdis_lib                   text,
    nb_poursuivants               integer,
    nb_sortants                   integer,
    nb_sortants_en_emploi_sal_fr  integer,
    tx_sortants_en_emploi_sal_fr  numeric,
    nb_sortants_en_emploi_stable  integer,
    tx_sortants_en_emploi_stable  numeric,
    tx_sortants_en_emploi_non_sal numeric,
    tx_sortants_en_emploi         numeric,
    tx_sortants_en_emploi_etranger numeric,
    salaire_q1                    integer,
    salaire_q2                    integer,
    salaire_q3                    integer,
    flag                          text,
    exception                     text,
    file_id                       bigint NOT NULL REFERENCES import_files(id),
    PRIMARY KEY (uai, sise, millesime, obtention_diplome, genre, nationalite, date_inser)
);
CREATE INDEX insersup_sise ON insersup(sise, millesime);
CREATE INDEX insersup_file ON insersup(file_id);

-- Import checks (e.g. sums over establishments against the regional file),
-- one French line each, shown in the import summary.
ALTER TABLE import_files ADD COLUMN checks jsonb NOT NULL DEFAULT '[]';

-- Read paths of the formation, région and establishment pages.
CREATE INDEX ij_region_formation_region ON ij_region_formation(region, voie);
CREATE INDEX ij_region_formation_file ON ij_region_formation(file_id);
CREATE INDEX ij_etab_file ON ij_etab(file_id);
CREATE INDEX bcn_mefs_terminal ON bcn_mefs(cfd, mefstat11) WHERE annee = duree;

-- +goose Down
DROP INDEX bcn_mefs_terminal, ij_etab_file, ij_region_formation_file, ij_region_formation_region;
ALTER TABLE import_files DROP COLUMN checks;
DROP TABLE insersup, ij_uai_formation;
