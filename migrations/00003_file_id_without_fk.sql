-- +goose Up
-- Every figure keeps file_id, the import_files row of the file it came from.
-- The loader inserts that row first, in the same transaction, and
-- import_files rows are never deleted, so the foreign keys only cost a
-- per-row trigger on every load: 26 % of the time of importing the demo set
-- (12.0 s → 8.9 s, scripts/bench.sh import). The integrity they checked is
-- tested instead (internal/importer: every file_id of every table exists).
ALTER TABLE regions DROP CONSTRAINT regions_file_id_fkey;
ALTER TABLE departements DROP CONSTRAINT departements_file_id_fkey;
ALTER TABLE bcn_formations DROP CONSTRAINT bcn_formations_file_id_fkey;
ALTER TABLE bcn_formation_links DROP CONSTRAINT bcn_formation_links_file_id_fkey;
ALTER TABLE bcn_mefs DROP CONSTRAINT bcn_mefs_file_id_fkey;
ALTER TABLE bcn_niveaux DROP CONSTRAINT bcn_niveaux_file_id_fkey;
ALTER TABLE bcn_dispositifs DROP CONSTRAINT bcn_dispositifs_file_id_fkey;
ALTER TABLE bcn_groupes_specialite DROP CONSTRAINT bcn_groupes_specialite_file_id_fkey;
ALTER TABLE etablissement_sources DROP CONSTRAINT etablissement_sources_file_id_fkey;
ALTER TABLE ij_etab DROP CONSTRAINT ij_etab_file_id_fkey;
ALTER TABLE ij_region_formation DROP CONSTRAINT ij_region_formation_file_id_fkey;
ALTER TABLE ij_uai_formation DROP CONSTRAINT ij_uai_formation_file_id_fkey;
ALTER TABLE insersup DROP CONSTRAINT insersup_file_id_fkey;

-- +goose Down
ALTER TABLE regions ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE departements ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE bcn_formations ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE bcn_formation_links ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE bcn_mefs ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE bcn_niveaux ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE bcn_dispositifs ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE bcn_groupes_specialite ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE etablissement_sources ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE ij_etab ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE ij_region_formation ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE ij_uai_formation ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
ALTER TABLE insersup ADD FOREIGN KEY (file_id) REFERENCES import_files(id);
