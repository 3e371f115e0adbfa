-- +goose Up
-- No planner statistics on the figure columns (counts, rates, parts,
-- valeur ajoutée, the millésime's label) of the three figure tables: no
-- query filters, joins or groups on them, and ANALYZE spent about a third
-- of its time on them (ij_uai_formation 363 → 245 ms on the demo data),
-- time every import pays (importer.analyze runs after commit). The key
-- columns keep the default target.
-- +goose StatementBegin
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.relname, a.attname
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relname IN ('ij_uai_formation', 'ij_etab', 'ij_region_formation')
          AND c.relnamespace = current_schema()::regnamespace
          AND a.attnum > 0 AND NOT a.attisdropped
          AND (a.attname ~ '^(nb_|taux_|part_)' OR a.attname IN ('valeur_ajoutee', 'millesime_label'))
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS 0', r.relname, r.attname);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.relname, a.attname
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relname IN ('ij_uai_formation', 'ij_etab', 'ij_region_formation')
          AND c.relnamespace = current_schema()::regnamespace
          AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget = 0
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS -1', r.relname, r.attname);
    END LOOP;
END
$$;
-- +goose StatementEnd
