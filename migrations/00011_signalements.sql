-- +goose Up
-- Correction requests (« signalements », issue 11): what a visitor reports,
-- its public and internal history, its attachment, the email outbox and the
-- POST rate limit shared by every node. Staff accounts and sessions are in
-- 00013 (00012 was left unused).

CREATE TABLE signalements (
    id              bigserial PRIMARY KEY,
    -- public tracking number, non-guessable: SIG-<year>-<6 chars of
    -- model.NumeroAlphabet>, drawn with crypto/rand (model.NewNumero)
    numero          text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- what is concerned, as validated from the form (each may be empty)
    uai             text NOT NULL DEFAULT '',
    code            text NOT NULL DEFAULT '',
    millesime       text NOT NULL DEFAULT '',
    -- académie of the UAI when known (relais staff see only theirs)
    academie        text NOT NULL DEFAULT '',
    -- page the visitor came from (path only, never a full URL)
    page            text NOT NULL DEFAULT '',
    categorie       text NOT NULL CHECK (categorie IN
                        ('chiffre_errone', 'formation_manquante', 'identite_etablissement', 'autre')),
    message         text NOT NULL,
    valeur_correcte text NOT NULL DEFAULT '',
    statut          text NOT NULL DEFAULT 'recu' CHECK (statut IN
                        ('recu', 'en_cours', 'transmis_producteur', 'corrige', 'rejete', 'doublon')),
    -- public reason when rejete
    motif_public    text NOT NULL DEFAULT '',
    -- original request when doublon
    doublon_de      bigint REFERENCES signalements (id),
    -- staff marked it public: the concerned page says « un signalement est
    -- en cours d'examen » while it is open
    avis_public     boolean NOT NULL DEFAULT false,
    -- staff member in charge (staff.id, 00013)
    assigne_a       bigint,
    -- personal data: staff only, erased by `vitrine purge`
    nom             text NOT NULL DEFAULT '',
    email           text NOT NULL DEFAULT '',
    role            text NOT NULL DEFAULT '',
    contact_ok      boolean NOT NULL DEFAULT false,
    closed_at       timestamptz,
    purged_at       timestamptz,
    recherche       tsvector GENERATED ALWAYS AS (
                        to_tsvector('french', message || ' ' || valeur_correcte)) STORED
);
CREATE INDEX signalements_statut ON signalements (statut, created_at DESC);
CREATE INDEX signalements_academie ON signalements (academie, created_at DESC);
CREATE INDEX signalements_uai ON signalements (uai) WHERE uai <> '';
CREATE INDEX signalements_code ON signalements (code) WHERE code <> '';
CREATE INDEX signalements_recherche ON signalements USING gin (recherche);
CREATE INDEX signalements_purge ON signalements (closed_at) WHERE purged_at IS NULL AND closed_at IS NOT NULL;

-- one optional attachment, type checked by content before it is stored
CREATE TABLE signalement_pieces (
    signalement_id  bigint PRIMARY KEY REFERENCES signalements (id),
    nom_fichier     text NOT NULL,
    content_type    text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    taille          integer NOT NULL,
    contenu         bytea NOT NULL
);

-- Append-only history: the submission, every status change, assignment,
-- internal note. public rows are shown on the status page (never the
-- actor's identity there).
CREATE TABLE signalement_evenements (
    id              bigserial PRIMARY KEY,
    signalement_id  bigint NOT NULL REFERENCES signalements (id),
    at              timestamptz NOT NULL DEFAULT now(),
    -- 'public' for the submitter, else the staff member's email
    acteur          text NOT NULL,
    staff_id        bigint,
    -- depot, statut, note, assignation, avis_public, purge
    nature          text NOT NULL,
    de_statut       text NOT NULL DEFAULT '',
    vers_statut     text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT '',
    public          boolean NOT NULL DEFAULT false
);
CREATE INDEX signalement_evenements_signalement ON signalement_evenements (signalement_id, id);

-- +goose StatementBegin
CREATE FUNCTION signalement_evenements_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'signalement_evenements est en ajout seul : % refusé', TG_OP;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER signalement_evenements_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON signalement_evenements
    FOR EACH STATEMENT EXECUTE FUNCTION signalement_evenements_append_only();

-- Email outbox, written in the transaction of what it announces. A sender
-- claims due rows with FOR UPDATE SKIP LOCKED, so several nodes never send
-- one twice.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    signalement_id  bigint REFERENCES signalements (id),
    destinataire    text NOT NULL,
    sujet           text NOT NULL,
    corps           text NOT NULL,
    tentatives      integer NOT NULL DEFAULT 0,
    prochain_essai  timestamptz NOT NULL DEFAULT now(),
    envoye_at       timestamptz,
    derniere_erreur text NOT NULL DEFAULT '',
    -- true once it gave up (too many attempts); staff see it
    abandonne       boolean NOT NULL DEFAULT false
);
CREATE INDEX outbox_due ON outbox (prochain_essai) WHERE envoye_at IS NULL AND NOT abandonne;

-- Fixed-window counters of unsafe requests per client (IP or /64), shared
-- by every node.
CREATE TABLE post_rate (
    client          text NOT NULL,
    fenetre         timestamptz NOT NULL,
    nombre          integer NOT NULL,
    PRIMARY KEY (client, fenetre)
);

-- +goose Down
DROP TABLE post_rate;
DROP TABLE outbox;
DROP TABLE signalement_evenements;
DROP FUNCTION signalement_evenements_append_only();
DROP TABLE signalement_pieces;
DROP TABLE signalements;
