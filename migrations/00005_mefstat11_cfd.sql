-- +goose Up
-- The one definition of MEFSTAT11 → CFD (DESIGN §3.1): voie scolaire
-- figures are keyed by the MEFSTAT11 of the terminal year, and BCN N_MEF
-- gives its CFD. A MEFSTAT11 can appear in several N_MEF rows with
-- different CFDs (32710013401: 24113401 and 32113401 in the demo BCN); the
-- row of the terminal year (annee = duree) wins, then the smallest MEF
-- code. A row whose year or duration is unknown never beats a terminal one.
--
-- Every read query maps MEFSTAT11s through it: joins over many rows use the
-- view; lookups of a few codes use the function, which reads the view
-- (PostgreSQL pushes its mefstat11 = m into the DISTINCT ON and serves it
-- from the index bcn_mefs_mefstat11; a plain join on the view would sort
-- the whole of N_MEF).
CREATE VIEW mefstat11_cfd AS
SELECT DISTINCT ON (mefstat11) mefstat11, cfd
FROM bcn_mefs
WHERE mefstat11 IS NOT NULL AND cfd IS NOT NULL
ORDER BY mefstat11, (annee = duree) DESC NULLS LAST, mef;

-- +goose StatementBegin
CREATE FUNCTION cfd_of_mefstat11(m text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT cfd FROM mefstat11_cfd WHERE mefstat11 = m $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION cfd_of_mefstat11(text);
DROP VIEW mefstat11_cfd;
