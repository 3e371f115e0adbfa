-- +goose Up

-- One row per committed import run. A run that fails is rolled back whole,
-- so it leaves no row: the database is exactly as before.
CREATE TABLE import_runs (
    id          bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    options     jsonb NOT NULL DEFAULT '{}',
    rows_read   integer NOT NULL DEFAULT 0,
    loaded      integer NOT NULL DEFAULT 0,
    rejected    integer NOT NULL DEFAULT 0,
    unchanged   integer NOT NULL DEFAULT 0,
    duration_ms integer NOT NULL DEFAULT 0
);

-- One row per file of a run; every figure points to the file it came from.
CREATE TABLE import_files (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES import_runs(id),
    name        text NOT NULL,
    sha256      text NOT NULL,
    format      text NOT NULL,
    producer    text NOT NULL,
    millesimes  text[] NOT NULL DEFAULT '{}',
    rows_read   integer NOT NULL,
    loaded      integer NOT NULL,
    rejected    integer NOT NULL,
    unchanged   integer NOT NULL,
    seconds     double precision NOT NULL,
    synthetic   boolean NOT NULL DEFAULT false,
    rejects     jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX import_files_run ON import_files(run_id);

-- Territories -------------------------------------------------------------
CREATE TABLE regions (
    code    text PRIMARY KEY,
    nom     text NOT NULL,
    file_id bigint NOT NULL REFERENCES import_files(id)
);

CREATE TABLE departements (
    code          text PRIMARY KEY,           -- 3 chars: 001, 02A, 971
    nom           text NOT NULL,
    academie_code text NOT NULL,
    academie_nom  text NOT NULL,
    region_code   text NOT NULL,
    region_nom    text NOT NULL,
    file_id       bigint NOT NULL REFERENCES import_files(id)
);

-- BCN ----------------------------------------------------------------------
CREATE TABLE bcn_formations (
    cfd               text PRIMARY KEY,
    niveau            text,
    groupe_specialite text,
    libelle_court     text,
    libelle_stat_33   text,
    libelle_long      text,
    date_ouverture    date,
    date_fermeture    date,
    file_id           bigint NOT NULL REFERENCES import_files(id)
);

CREATE TABLE bcn_formation_links (
    ancien  text NOT NULL,
    nouveau text NOT NULL,
    file_id bigint NOT NULL REFERENCES import_files(id),
    PRIMARY KEY (ancien, nouveau)
);
CREATE INDEX bcn_formation_links_nouveau ON bcn_formation_links(nouveau);

CREATE TABLE bcn_mefs (
    mef              text PRIMARY KEY,
    mefstat11        text,
    cfd              text,
    dispositif       text,
    duree            integer,
    annee            integer,
    libelle_long     text,
    date_fermeture   date,
    file_id          bigint NOT NULL REFERENCES import_files(id)
);
CREATE INDEX bcn_mefs_mefstat11 ON bcn_mefs(mefstat11);
CREATE INDEX bcn_mefs_cfd ON bcn_mefs(cfd);

CREATE TABLE bcn_niveaux (
    code          text PRIMARY KEY,
    libelle_court text,
    libelle_100   text,
    file_id       bigint NOT NULL REFERENCES import_files(id)
);

CREATE TABLE bcn_dispositifs (
    code          text PRIMARY KEY,
    niveau        text,
    libelle_court text,
    libelle_long  text,
    file_id       bigint NOT NULL REFERENCES import_files(id)
);

CREATE TABLE bcn_groupes_specialite (
    code          text PRIMARY KEY,
    domaine       text,
    libelle_court text,
    libelle_long  text,
    file_id       bigint NOT NULL REFERENCES import_files(id)
);

-- Establishments: one row per (UAI, source); the view below picks the best.
CREATE TABLE etablissement_sources (
    uai          text NOT NULL,
    source       text NOT NULL,     -- annuaire, acce, ij
    precedence   integer NOT NULL,  -- higher wins
    nom          text,
    type         text,
    statut       text,
    adresse      text,
    code_postal  text,
    commune      text,
    departement  text,
    academie     text,
    region       text,
    file_id      bigint NOT NULL REFERENCES import_files(id),
    PRIMARY KEY (uai, source)
);

-- InserJeunes per establishment: one row per (UAI, millésime, voie,
-- sous-population, source). Several sources may hold the same key; the
-- precedence column declares which one is shown (higher wins), every one
-- stays traceable.
CREATE TABLE ij_etab (
    uai                       text NOT NULL,
    millesime                 text NOT NULL,
    voie                      text NOT NULL,
    sous_population           text NOT NULL,
    source                    text NOT NULL,
    precedence                integer NOT NULL,
    millesime_label           text NOT NULL,
    region                    text,
    taux_poursuite_etudes     integer,
    taux_emploi_6_mois        integer,
    taux_emploi_6_mois_attendu integer,
    valeur_ajoutee            integer,
    part_poursuite_etudes     integer,
    part_emploi_6_mois        integer,
    part_autres_situations    integer,
    taux_emploi_12_mois       integer,
    taux_emploi_18_mois       integer,
    taux_emploi_24_mois       integer,
    taux_contrats_interrompus integer,
    file_id                   bigint NOT NULL REFERENCES import_files(id),
    PRIMARY KEY (uai, millesime, voie, sous_population, source)
);

-- InserJeunes per région × formation (DEPP API), with counts.
CREATE TABLE ij_region_formation (
    millesime             text NOT NULL,
    region                text NOT NULL,   -- INSEE
    voie                  text NOT NULL,
    code                  text NOT NULL,   -- CFD (apprentissage) or MEFSTAT11 (scolaire)
    cfd                   text,
    mefstat11             text,
    nb_annee_term         integer,
    nb_sortant            integer,
    nb_poursuite_etudes   integer,
    nb_en_emploi_6_mois   integer,
    nb_en_emploi_12_mois  integer,
    nb_en_emploi_18_mois  integer,
    nb_en_emploi_24_mois  integer,
    taux_poursuite_etudes integer,
    taux_emploi_6_mois    integer,
    taux_emploi_12_mois   integer,
    taux_emploi_18_mois   integer,
    taux_emploi_24_mois   integer,
    file_id               bigint NOT NULL REFERENCES import_files(id),
    PRIMARY KEY (millesime, region, voie, code)
);
CREATE INDEX ij_region_formation_code ON ij_region_formation(code);

-- +goose Down
DROP TABLE ij_region_formation, ij_etab, etablissement_sources, bcn_groupes_specialite,
    bcn_dispositifs, bcn_niveaux, bcn_mefs, bcn_formation_links, bcn_formations,
    departements, regions, import_files, import_runs;
