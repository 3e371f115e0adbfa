-- +goose Up
-- Familles de métiers of the voie professionnelle (SOURCES.md §E5): pupils
-- enter the bac pro through a common 2nde (« famille de métiers ») and
-- choose one of its specialties at the end of it. One row per specialty;
-- the slug (model.FamilleSlug of the label) is the page of the famille.
CREATE TABLE familles_metiers (
    cfd_specialite       text PRIMARY KEY,
    mefstat11_specialite text NOT NULL,
    specialite           text NOT NULL,
    famille              text NOT NULL,
    slug                 text NOT NULL,
    mefstat11_commun     text NOT NULL,
    cfd_commun           text NOT NULL,
    ministere            text NOT NULL,      -- CODE_MINISTERE_TUTELLE (06 éducation nationale, 03 agriculture, 28 mer)
    file_id              bigint NOT NULL
);
CREATE INDEX familles_metiers_slug ON familles_metiers (slug);
CREATE INDEX familles_metiers_cfd_commun ON familles_metiers (cfd_commun);

-- +goose Down
DROP TABLE familles_metiers;
