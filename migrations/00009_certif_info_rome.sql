-- +goose Up
-- Certif Info (Réseau des Carif-Oref / Onisep) and the ROME of France
-- Travail (SOURCES.md §E1–E4): readable formation labels and diploma types
-- per CFD, and the métiers a formation leads to.
--
-- Certif Info has one row per certification × Onisep page × répertoire
-- spécifique entry, so its key is those three codes ('' when absent).
-- cfd is Code_Scolarité (the BCN CFD) when the certification has one.
CREATE TABLE certif_info (
    code_diplome           text NOT NULL,
    onisep                 text NOT NULL,   -- codeIdeo2 (FOR.1094), '' when none
    code_rs                text NOT NULL,   -- '' when none
    libelle                text NOT NULL,   -- Libelle_Diplome, mixed case with accents
    type_diplome           text,            -- Libelle_Type_Diplome
    niveau_europeen        text,
    rome_1                 text,
    rome_2                 text,
    rome_3                 text,
    rome_4                 text,
    rome_5                 text,
    nsf                    text,
    rncp                   text,
    cfd                    text,
    etat                   text,            -- 0 publié, 4 non certifiante, 11 habilitation
    annee_derniere_session integer,
    file_id                bigint NOT NULL,
    PRIMARY KEY (code_diplome, onisep, code_rs)
);
CREATE INDEX certif_info_cfd ON certif_info (cfd) WHERE cfd IS NOT NULL;

-- ROME fiches métiers. transition_eco is the label France Travail gives
-- (« Emploi Vert », « Emploi stratégique pour la Transition écologique »);
-- the other flags are O/N in the file, NULL when not set.
CREATE TABLE rome_fiches (
    code_rome         text PRIMARY KEY,
    code_fiche        text,
    code_ogr          text,
    libelle           text NOT NULL,
    transition_eco    text,
    transition_num    boolean,
    transition_demo   boolean,
    emploi_reglemente boolean,
    emploi_cadre      boolean,
    code_rome_parent  text,
    file_id           bigint NOT NULL
);

CREATE TABLE rome_appellations (
    code_ogr          text PRIMARY KEY,
    libelle_long      text NOT NULL,
    libelle_court     text,
    code_rome         text NOT NULL,
    transition_eco    text,
    transition_num    boolean,
    transition_demo   boolean,
    emploi_reglemente boolean,
    emploi_cadre      boolean,
    classification    text,             -- PRINCIPALE or SYNONYME
    file_id           bigint NOT NULL
);
CREATE INDEX rome_appellations_rome ON rome_appellations (code_rome);

-- Domaines professionnels: the first three characters of a ROME code.
CREATE TABLE rome_domaines (
    code    text PRIMARY KEY,
    libelle text NOT NULL,
    file_id bigint NOT NULL
);

-- +goose Down
DROP TABLE rome_domaines;
DROP TABLE rome_appellations;
DROP TABLE rome_fiches;
DROP TABLE certif_info;
