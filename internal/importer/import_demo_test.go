package importer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// demoExpect is what SOURCES.md says of each real file: its data rows
// ("rows", parsed with a CSV reader), the format it must be detected as,
// its encoding, and the rows that load nothing by design (ignored),
// counted on the raw files with awk/comm:
//   - the BCN tables come in several snapshots: a key written by a newer
//     file of the run (sorted by Order, then by the latest
//     DATE_INTERVENTION) is loaded from that file only;
//   - duplicated UAIs of the annuaire keep their first line;
//   - académie rows of the territorial table carry no département.
var demoExpect = []struct {
	name       string
	format     string
	rows       int
	encoding   string
	millesimes string
	ignored    int // rows that are valid but load nothing
}{
	{"ref_regions.csv", "ref_regions", 20, "utf-8-bom", "", 0},
	// 12 académie rows without a département (e.g. "Sans objet;62;99;;…").
	{"ref_departements_academies_regions.csv", "ref_departements", 122, "utf-8-bom", "", 12},
	{"acce_uai_extrait_2024-02.csv", "acce_uai", 5, "windows-1252", "", 0},
	// 0350778F, 0350852L, 0352072M appear twice (multi-line establishments).
	{"annuaire_education_dep035_2023-06.csv", "annuaire_education", 996, "utf-8-bom", "", 3},
	{"annuaire_education_dep094_ecoles_2026-07.csv", "annuaire_education", 613, "utf-8-bom", "", 0},
	{"bcn_n_dispositif_formation.csv", "bcn_n_dispositif_formation", 181, "utf-8-bom", "", 0},
	{"bcn_n_groupe_specialite.csv", "bcn_n_groupe_specialite", 115, "utf-8-bom", "", 0},
	{"bcn_n_niveau_formation_diplome.csv", "bcn_n_niveau_formation_diplome", 212, "utf-8", "", 0},
	// DATE_INTERVENTION ≤ 2023-11-14, older than the plain table (2024-05-17): its 206 codes are all there.
	{"bcn_n_niveau_formation_diplome_2024-02_avec_libelles.csv", "bcn_n_niveau_formation_diplome", 206, "windows-1252", "", 206},
	// 4,014 of its CFD are in N_FORMATION_DIPLOME (loaded after V).
	{"bcn_v_formation_diplome.csv", "bcn_v_formation_diplome", 11261, "utf-8-bom", "", 4014},
	{"bcn_n_formation_diplome.csv", "bcn_n_formation_diplome", 4023, "windows-1252", "", 0},
	// Snapshot of 2024-02-08, 3,886 CFD in common with the 2025-08-29 one.
	{"bcn_n_formation_diplome_2024-02_avec_libelles.csv", "bcn_n_formation_diplome", 3923, "windows-1252", "", 3886},
	{"bcn_n_mef.csv", "bcn_n_mef", 10067, "utf-8-bom", "", 0},
	{"depp_ij_etab_lycee_pro_2018_2019.csv", "depp_ij_etab_2018", 4569, "utf-8", "2018_2019", 0},
	{"depp_ij_etab_lycee_pro_2019_2020.csv", "depp_ij_etab_2019", 4674, "utf-8", "2019_2020", 0},
	{"depp_ij_etab_lycee_pro_2020_2021.csv", "depp_ij_lycee_pro", 4972, "utf-8", "2020_2021", 0},
	{"depp_ij_etab_lycee_pro_2021_2022.csv", "depp_ij_lycee_pro", 5325, "utf-8", "2021_2022", 0},
	{"depp_ij_etab_cfa_2018_2019.csv", "depp_ij_etab_2018", 851, "utf-8", "2018_2019", 0},
	{"depp_ij_etab_cfa_2019_2020.csv", "depp_ij_etab_2019", 1041, "utf-8", "2019_2020", 0},
	{"depp_ij_etab_cfa_2020_2021.csv", "depp_ij_cfa", 1767, "utf-8", "2020_2021", 0},
	{"depp_ij_etab_cfa_2021_2022.csv", "depp_ij_cfa", 2288, "utf-8", "2021_2022", 0},
	{"depp_ij_etab_cfa_2022_2023.csv", "depp_ij_cfa", 2527, "utf-8", "2022_2023", 0},
	{"inserjeunes_cfa_etab_2018-2023.csv", "portail_ij_cfa", 8556, "utf-8-bom", "2018_2019 2019_2020 2020_2021 2021_2022 2022_2023", 0},
	{"ij_api_region_formation_2019-2022.csv", "ij_region_formation", 29410, "utf-8-bom", "2019_2020 2020_2021 2021_2022", 0},
	{"insersup_api_extract_uca_meef_2024S2.json", "insersup", 60, "utf-8", "2020_2021", 0},
	// SOURCES.md §E6: 68 rows (17 régions × 2020–2023), 500 (100 départements × 2019–2023).
	{"insee_chomage_regional.csv", "insee_chomage_regional", 68, "utf-8-bom", "2020 2021 2022 2023", 0},
	{"insee_chomage_departemental.csv", "insee_chomage_departemental", 500, "utf-8", "2019 2020 2021 2022 2023", 0},
	// SOURCES.md §E5: 90 specialties in 23 familles.
	{"familles_metiers_2nde_commune.csv", "familles_metiers", 90, "utf-8-bom", "", 0},
	// SOURCES.md §E1–E4: 10,067 certifications, 609 fiches, 11,522 appellations, 110 domaines.
	{"certif_info_formations.csv", "certif_info", 10067, "utf-8", "", 0},
	{"rome_fiches_metiers.csv", "rome_fiches_metiers", 609, "utf-8", "", 0},
	{"rome_appellations.csv", "rome_appellations", 11522, "utf-8", "", 0},
	{"rome_domaines_professionnels.csv", "rome_domaines_professionnels", 110, "utf-8", "", 0},
}

func TestImportDemoFiles(t *testing.T) {
	_, rep := demoPool(t)
	if len(rep.Files) != len(demoExpect) {
		t.Errorf("%d files imported, %d expected", len(rep.Files), len(demoExpect))
	}
	got := map[string]FileReport{}
	for _, f := range rep.Files {
		got[f.Name] = f
	}
	for _, e := range demoExpect {
		f, ok := got[e.name]
		if !ok {
			t.Errorf("%s: not imported", e.name)
			continue
		}
		if f.Format != e.format || f.Encoding != e.encoding || strings.Join(f.Millesimes, " ") != e.millesimes {
			t.Errorf("%s: format %s, encoding %s, millésimes %v; want %s, %s, %q", e.name, f.Format, f.Encoding, f.Millesimes, e.format, e.encoding, e.millesimes)
		}
		if f.Read != e.rows || f.Rejected != 0 || f.Ignored != e.ignored {
			t.Errorf("%s: read %d, rejected %d, ignored %d; want %d, 0, %d (rejects: %v)", e.name, f.Read, f.Rejected, f.Ignored, e.rows, e.ignored, f.Rejects)
		}
		if f.Loaded+f.Unchanged+f.Rejected+f.Ignored != f.Read {
			t.Errorf("%s: loaded %d + unchanged %d + rejected %d + ignored %d ≠ read %d", e.name, f.Loaded, f.Unchanged, f.Rejected, f.Ignored, f.Read)
		}
		if len(f.SHA256) != 64 || f.FileID == 0 {
			t.Errorf("%s: sha256 %q, file id %d", e.name, f.SHA256, f.FileID)
		}
	}
}

// TestImportDemoRowCounts checks the rows in the database against the
// counts SOURCES.md gives per file, millésime and voie.
func TestImportDemoRowCounts(t *testing.T) {
	pool, _ := demoPool(t)
	counts := []struct {
		what  string
		query string
		want  int
	}{
		{"régions (ref_regions.csv, 20 rows)", `SELECT count(*) FROM regions`, 20},
		{"départements (122 rows, 12 without a département)", `SELECT count(*) FROM departements`, 110},
		{"annuaire: 996 + 613 rows, 3 UAI twice in 035", `SELECT count(*) FROM etablissement_sources WHERE source = 'annuaire'`, 1606},
		{"ACCE: 5 rows", `SELECT count(*) FROM etablissement_sources WHERE source = 'acce'`, 5},
		{"N_MEF: 10,067 rows", `SELECT count(*) FROM bcn_mefs`, 10067},
		{"formations: V (11,261) ∪ N (4,023) ∪ N 2024-02 (3,923) = 11,307 distinct CFD (awk on the raw files)", `SELECT count(*) FROM bcn_formations`, 11307},
		{"niveaux: 212 ∪ 206", `SELECT count(*) FROM bcn_niveaux`, 212},
		{"dispositifs: 181", `SELECT count(*) FROM bcn_dispositifs`, 181},
		{"groupes: 115", `SELECT count(*) FROM bcn_groupes_specialite`, 115},
		{"lycée pro 2018_2019: 4,569", `SELECT count(*) FROM ij_etab WHERE source = 'depp_scolaire' AND millesime = '2018_2019'`, 4569},
		{"lycée pro 2019_2020: 4,674", `SELECT count(*) FROM ij_etab WHERE source = 'depp_scolaire' AND millesime = '2019_2020'`, 4674},
		{"lycée pro 2020_2021: 4,972", `SELECT count(*) FROM ij_etab WHERE source = 'depp_scolaire' AND millesime = '2020_2021'`, 4972},
		{"lycée pro 2021_2022: 5,325", `SELECT count(*) FROM ij_etab WHERE source = 'depp_scolaire' AND millesime = '2021_2022'`, 5325},
		{"DEPP CFA 2018_2019: 851", `SELECT count(*) FROM ij_etab WHERE source = 'depp_apprentissage' AND millesime = '2018_2019'`, 851},
		{"DEPP CFA 2019_2020: 1,041", `SELECT count(*) FROM ij_etab WHERE source = 'depp_apprentissage' AND millesime = '2019_2020'`, 1041},
		{"DEPP CFA 2020_2021: 1,767", `SELECT count(*) FROM ij_etab WHERE source = 'depp_apprentissage' AND millesime = '2020_2021'`, 1767},
		{"DEPP CFA 2021_2022: 2,288", `SELECT count(*) FROM ij_etab WHERE source = 'depp_apprentissage' AND millesime = '2021_2022'`, 2288},
		{"DEPP CFA 2022_2023: 2,527", `SELECT count(*) FROM ij_etab WHERE source = 'depp_apprentissage' AND millesime = '2022_2023'`, 2527},
		{"portal CFA: 8,556", `SELECT count(*) FROM ij_etab WHERE source = 'portail_cfa'`, 8556},
		{"portal CFA cumul 2019-2020: 1,123", `SELECT count(*) FROM ij_etab WHERE source = 'portail_cfa' AND millesime = '2019_2020'`, 1123},
		{"portal CFA: 2,800 UAI", `SELECT count(DISTINCT uai) FROM ij_etab WHERE source = 'portail_cfa'`, 2800},
		{"région × formation: 29,410", `SELECT count(*) FROM ij_region_formation`, 29410},
		{"région × formation 2019_2020 scolaire: 3,860", `SELECT count(*) FROM ij_region_formation WHERE millesime = '2019_2020' AND voie = 'scolaire'`, 3860},
		{"région × formation 2019_2020 apprentissage: 5,236", `SELECT count(*) FROM ij_region_formation WHERE millesime = '2019_2020' AND voie = 'apprentissage'`, 5236},
		{"région × formation 2020_2021 scolaire: 3,777", `SELECT count(*) FROM ij_region_formation WHERE millesime = '2020_2021' AND voie = 'scolaire'`, 3777},
		{"région × formation 2021_2022 apprentissage: 6,670", `SELECT count(*) FROM ij_region_formation WHERE millesime = '2021_2022' AND voie = 'apprentissage'`, 6670},
		{"scolaire rows carry a MEFSTAT11 and no CFD", `SELECT count(*) FROM ij_region_formation WHERE voie = 'scolaire' AND (mefstat11 IS NULL OR code <> mefstat11)`, 0},
		{"every région × formation row has an INSEE région", `SELECT count(*) FROM ij_region_formation r WHERE NOT EXISTS (SELECT 1 FROM regions g WHERE g.code = r.region)`, 0},
		{"INSEE chômage régional: 68 rows", `SELECT count(*) FROM insee_chomage_region`, 68},
		{"INSEE chômage départemental: 500 rows", `SELECT count(*) FROM insee_chomage_departement`, 500},
		{"INSEE files carry their producer and licence", `SELECT count(*) FROM import_files WHERE format LIKE 'insee_chomage_%' AND producer = 'INSEE' AND licence LIKE 'Licence Ouverte 2.0%'`, 2},
		{"familles de métiers: 90 specialties", `SELECT count(*) FROM familles_metiers`, 90},
		{"familles de métiers: 23 familles, one slug and one common 2nde each", `SELECT count(DISTINCT (famille, slug, cfd_commun, mefstat11_commun)) FROM familles_metiers`, 23},
		{"familles de métiers: 23 slugs", `SELECT count(DISTINCT slug) FROM familles_metiers`, 23},
		{"familles file carries its producer and licence", `SELECT count(*) FROM import_files WHERE format = 'familles_metiers' AND producer LIKE 'Orion%' AND licence LIKE 'Licence Ouverte 2.0%'`, 1},
		{"every row points to a file of a run", `SELECT count(*) FROM ij_etab e LEFT JOIN import_files f ON f.id = e.file_id WHERE f.run_id IS NULL`, 0},
	}
	for _, c := range counts {
		var n int
		if err := pool.QueryRow(context.Background(), c.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != c.want {
			t.Errorf("%s: %d rows, want %d", c.what, n, c.want)
		}
	}
}

// sqlRow renders columns as the source files write them: values joined by
// ';', NULL as the empty string.
func sqlRow(cols ...string) string {
	return `array_to_string(ARRAY[` + strings.Join(cols, "::text, ") + `::text], ';', '')`
}

var (
	etabLP  = sqlRow("sous_population", "taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee", "part_poursuite_etudes", "part_emploi_6_mois", "part_autres_situations")
	etabCFA = sqlRow("taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee", "part_poursuite_etudes", "part_emploi_6_mois", "part_autres_situations")
	// legacy 2018_2019 (11 columns): col 4 is the sous-population (pro) or
	// the part of broken contracts (cfa), then poursuite, taux, attendu,
	// VA, 12, 18, 24 months.
	legacy2018LP  = sqlRow("sous_population", "taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois")
	legacy2018CFA = sqlRow("taux_contrats_interrompus", "taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois")
	legacy2019LP  = sqlRow("sous_population", "taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee", "taux_emploi_12_mois")
	legacy2019CFA = sqlRow("taux_contrats_interrompus", "taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee", "taux_emploi_12_mois")
	portal        = sqlRow("millesime_label", "uai", "region", "part_poursuite_etudes", "part_emploi_6_mois", "part_autres_situations", "taux_contrats_interrompus", "taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois")
	regForm       = sqlRow("millesime", "region", "voie", "cfd", "mefstat11", "nb_annee_term", "nb_en_emploi_12_mois", "nb_en_emploi_18_mois", "nb_en_emploi_24_mois", "nb_en_emploi_6_mois", "nb_poursuite_etudes", "nb_sortant", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois", "taux_emploi_6_mois", "taux_poursuite_etudes")
)

// TestImportDemoFigures reads back a handful of figures per format; each
// expected value is copied from the line of the file named in the case.
func TestImportDemoFigures(t *testing.T) {
	pool, _ := demoPool(t)
	cases := []struct {
		from  string // file:line (decoded), and what the line says
		query string
		args  []any
		want  string
	}{
		{"depp_ij_etab_lycee_pro_2021_2022.csv:2 `0010001W;…;AUVERGNE-RHONE-ALPES;ensemble;57;54;45;9;57;23;20`",
			`SELECT ` + etabLP + ` FROM ij_etab WHERE uai = $1 AND millesime = '2021_2022' AND source = 'depp_scolaire' AND sous_population = 'ensemble'`,
			[]any{"0010001W"}, "ensemble;57;54;45;9;57;23;20"},
		{"depp_ij_etab_lycee_pro_2021_2022.csv:3 `0010006B;…;dont apprentis;23;67;67;0;23;52;25`",
			`SELECT ` + etabLP + ` FROM ij_etab WHERE uai = $1 AND millesime = '2021_2022' AND source = 'depp_scolaire' AND sous_population = 'apprentis'`,
			[]any{"0010006B"}, "apprentis;23;67;67;0;23;52;25"},
		{"depp_ij_etab_lycee_pro_2021_2022.csv: three sous-populations of 0010006B",
			`SELECT string_agg(sous_population, ',' ORDER BY sous_population) FROM ij_etab WHERE uai = $1 AND millesime = '2021_2022' AND source = 'depp_scolaire'`,
			[]any{"0010006B"}, "apprentis,ensemble,voie_pro_sco"},
		{"depp_ij_etab_lycee_pro_2018_2019.csv:2 (legacy 11 columns) `\"0010001W\";…;\"ensemble\";49;47;41;6;51;55;56`",
			`SELECT ` + legacy2018LP + ` FROM ij_etab WHERE uai = $1 AND millesime = '2018_2019' AND source = 'depp_scolaire' AND sous_population = 'ensemble'`,
			[]any{"0010001W"}, "ensemble;49;47;41;6;51;55;56"},
		{"depp_ij_etab_lycee_pro_2019_2020.csv:2 (legacy 9 columns) `\"0010001W\";…;\"ensemble\";51;41;36;4;51`",
			`SELECT ` + legacy2019LP + ` FROM ij_etab WHERE uai = $1 AND millesime = '2019_2020' AND source = 'depp_scolaire' AND sous_population = 'ensemble'`,
			[]any{"0010001W"}, "ensemble;51;41;36;4;51"},
		{"depp_ij_etab_cfa_2018_2019.csv:2 (legacy 11 columns) `\"0010826T\";…;41;38;67;63;4;68;69;71`",
			`SELECT ` + legacy2018CFA + ` FROM ij_etab WHERE uai = $1 AND millesime = '2018_2019' AND source = 'depp_apprentissage'`,
			[]any{"0010826T"}, "41;38;67;63;4;68;69;71"},
		{"depp_ij_etab_cfa_2019_2020.csv:2 (legacy 9 columns) `\"0010826T\";…;;39;62;61;2;69`",
			`SELECT ` + legacy2019CFA + ` FROM ij_etab WHERE uai = $1 AND millesime = '2019_2020' AND source = 'depp_apprentissage'`,
			[]any{"0010826T"}, ";39;62;61;2;69"},
		{"depp_ij_etab_cfa_2022_2023.csv:2 `0010826T;…;42;70;69;1;42;41;17`",
			`SELECT ` + etabCFA + ` FROM ij_etab WHERE uai = $1 AND millesime = '2022_2023' AND source = 'depp_apprentissage'`,
			[]any{"0010826T"}, "42;70;69;1;42;41;17"},
		{"depp_ij_etab_cfa_2020_2021.csv: `0932492D;…;23;71;67;4;23;55;22`",
			`SELECT ` + etabCFA + ` FROM ij_etab WHERE uai = $1 AND millesime = '2020_2021' AND source = 'depp_apprentissage'`,
			[]any{"0932492D"}, "23;71;67;4;23;55;22"},
		{"inserjeunes_cfa_etab_2018-2023.csv:3 `cumul 2022-2023;0932492D;…;ILE-DE-FRANCE;21.0;54.0;25.0;;21.0;68.0;70.0;-2.0;77.0;;;7505.0`",
			`SELECT ` + portal + ` FROM ij_etab WHERE uai = $1 AND millesime = '2022_2023' AND source = 'portail_cfa'`,
			[]any{"0932492D"}, "cumul 2022-2023;0932492D;11;21;54;25;;21;68;70;-2;77;;"},
		{"inserjeunes_cfa_etab_2018-2023.csv:3513 `cumul 2018-2019;0932492D;…;;;;29;24.0;71.0;67.0;4.0;77.0;75.0;77.0;338.0`",
			`SELECT ` + portal + ` FROM ij_etab WHERE uai = $1 AND millesime = '2018_2019' AND source = 'portail_cfa'`,
			[]any{"0932492D"}, "cumul 2018-2019;0932492D;11;;;;29;24;71;67;4;77;75;77"},
		{"ij_api_region_formation_2019-2022.csv:2 `2019_2020_10_scolaire_32221022002;2019_2020;10;11;scolaire;;32221022002;52;12;12;15;9;31;21;57;57;71;43;60`",
			`SELECT ` + regForm + ` FROM ij_region_formation WHERE millesime = '2019_2020' AND region = '11' AND voie = 'scolaire' AND code = $1`,
			[]any{"32221022002"}, "2019_2020;11;scolaire;;32221022002;52;12;12;15;9;31;21;57;57;71;43;60"},
		{"ij_api_region_formation_2019-2022.csv:350 `2019_2020_10_apprentissage_32020008;2019_2020;10;11;apprentissage;32020008;;162;67;65;71;57;73;89;75;73;80;64;45`",
			`SELECT ` + regForm + ` FROM ij_region_formation WHERE millesime = '2019_2020' AND region = '11' AND voie = 'apprentissage' AND code = $1`,
			[]any{"32020008"}, "2019_2020;11;apprentissage;32020008;;162;67;65;71;57;73;89;75;73;80;64;45"},
		{"bcn_n_formation_diplome.csv:1438 (Windows-1252) `90099902;900;…;Attestation scolaire de s\\xe9curit\\xe9 routi\\xe8re de second niveau`",
			`SELECT libelle_long FROM bcn_formations WHERE cfd = $1`,
			[]any{"90099902"}, "Attestation scolaire de sécurité routière de second niveau"},
		{"90099902 is also in V_FORMATION_DIPLOME (UTF-8): the label above comes from the Windows-1252 N_FORMATION_DIPLOME, the newest snapshot",
			`SELECT f.name || ' ' || f.format FROM bcn_formations b JOIN import_files f ON f.id = b.file_id WHERE b.cfd = $1`,
			[]any{"90099902"}, "bcn_n_formation_diplome.csv bcn_n_formation_diplome"},
		{"bcn_n_formation_diplome.csv:106 `50023217;500;232;S;;CAP;MACON;MACON (CAP);01/09/2002;31/08/2022;50023210;…;50023224`",
			`SELECT ` + sqlRow("niveau", "libelle_court", "libelle_long", "date_ouverture", "date_fermeture") + ` FROM bcn_formations WHERE cfd = $1`,
			[]any{"50023217"}, "500;CAP;MACON (CAP);2002-09-01;2022-08-31"},
		{"bcn_n_formation_diplome.csv:106 links: ancien 50023210, nouveau 50023224",
			`SELECT string_agg(ancien || '>' || nouveau, ',' ORDER BY ancien) FROM bcn_formation_links WHERE $1 IN (ancien, nouveau)`,
			[]any{"50023217"}, "50023210>50023217,50023217>50023224"},
		{"bcn_v_formation_diplome.csv:2 `01022001;010;220;R;;MC4;AGT CONTROL.NON DESTRUCTIF (MC4);AGENT DE CONTROLE NON DESTRUCTIF (MC NIVEAU IV);01/09/1995;31/08/2024`",
			`SELECT ` + sqlRow("niveau", "groupe_specialite", "libelle_long", "date_fermeture") + ` FROM bcn_formations WHERE cfd = $1`,
			[]any{"01022001"}, "010;220;AGENT DE CONTROLE NON DESTRUCTIF (MC NIVEAU IV);2024-08-31"},
		{"bcn_n_formation_diplome.csv (2025-09) `32022104;…;BIOTECHNOLOGIES (BTS);…;31/08/2025`: the older 2024-02 snapshot, without the closure, must not win",
			`SELECT ` + sqlRow("libelle_long", "date_fermeture") + ` FROM bcn_formations WHERE cfd = $1`,
			[]any{"32022104"}, "BIOTECHNOLOGIES (BTS);2025-08-31"},
		{"bcn_n_mef.csv:2 `2543340421;254;45033404;2;1;1BP2  33404;1BP2 GOUVERNANTE;01/09/1995;31/08/2025;…;25110033404;…` (MEFSTAT11 → CFD)",
			`SELECT ` + sqlRow("cfd", "dispositif", "duree", "annee", "libelle_long", "date_fermeture") + ` FROM bcn_mefs WHERE mefstat11 = $1`,
			[]any{"25110033404"}, "45033404;254;2;1;1BP2 GOUVERNANTE;2025-08-31"},
		{"bcn_n_niveau_formation_diplome.csv `967;9;BAFD;BREVET D'APTITUDE AUX FONCTIONS DE DIRECTEUR;…`",
			`SELECT ` + sqlRow("libelle_court", "libelle_100") + ` FROM bcn_niveaux WHERE code = $1`,
			[]any{"967"}, "BAFD;BREVET D'APTITUDE AUX FONCTIONS DE DIRECTEUR"},
		{"bcn_n_dispositif_formation.csv `162;690;CAT1-2;CLASSE ATELIER 1 ET 2;…`",
			`SELECT ` + sqlRow("niveau", "libelle_court", "libelle_long") + ` FROM bcn_dispositifs WHERE code = $1`,
			[]any{"162"}, "690;CAT1-2;CLASSE ATELIER 1 ET 2"},
		{"bcn_n_groupe_specialite.csv `229;22;;DO22 : TRANSFORMATIONS;…`",
			`SELECT ` + sqlRow("domaine", "libelle_court", "libelle_long") + ` FROM bcn_groupes_specialite WHERE code = $1`,
			[]any{"229"}, "22;;DO22 : TRANSFORMATIONS"},
		{"annuaire_education_dep035_2023-06.csv `0350122T;Ecole primaire publique les Lucioles;Ecole;Public;6 rue PHILIPPE;;35580 BAULON;35580;35016;Baulon;035;14;53`",
			`SELECT ` + sqlRow("nom", "type", "statut", "adresse", "code_postal", "commune", "departement", "academie", "region") + ` FROM etablissement_sources WHERE uai = $1 AND source = 'annuaire'`,
			[]any{"0350122T"}, "Ecole primaire publique les Lucioles;Ecole;Public;6 rue PHILIPPE;35580;Baulon;035;14;53"},
		{"annuaire_education_dep094_ecoles_2026-07.csv (2026 header, Code_postal) `0940176F;Ecole élémentaire Robert Doisneau;…;94260;94034;Fresnes;094;24;11`",
			`SELECT ` + sqlRow("nom", "code_postal", "commune", "departement", "academie", "region") + ` FROM etablissement_sources WHERE uai = $1 AND source = 'annuaire'`,
			[]any{"0940176F"}, "Ecole élémentaire Robert Doisneau;94260;Fresnes;094;24;11"},
		{"annuaire_education_dep035_2023-06.csv: 0350778F twice, the first line wins",
			`SELECT nom FROM etablissement_sources WHERE uai = $1 AND source = 'annuaire'`,
			[]any{"0350778F"}, "Lycée Assomption"},
		{"acce_uai_extrait_2024-02.csv (Windows-1252) `0010001W;320;Lycée professionnel;…;Ambérieu-en-Bugey;10;…;001;…;Lycée professionnel Alexandre Bérard - …`",
			`SELECT ` + sqlRow("type", "statut", "commune", "departement", "academie", "code_postal") + ` FROM etablissement_sources WHERE uai = $1 AND source = 'acce'`,
			[]any{"0010001W"}, "Lycée professionnel;Public;Ambérieu-en-Bugey;001;10;01500"},
		{"ref_departements_academies_regions.csv `Auvergne-Rhône-Alpes;10;84;001;Lyon;Ain`",
			`SELECT ` + sqlRow("nom", "academie_code", "academie_nom", "region_code", "region_nom") + ` FROM departements WHERE code = $1`,
			[]any{"001"}, "Ain;10;Lyon;84;Auvergne-Rhône-Alpes"},
		{"ref_regions.csv `Guadeloupe;01`", `SELECT nom FROM regions WHERE code = $1`, []any{"01"}, "Guadeloupe"},
		{"InserJeunes identity of 0932492D (portal/DEPP CFA): name, région ILE-DE-FRANCE → 11, département from the UAI",
			`SELECT ` + sqlRow("nom", "departement", "region") + ` FROM etablissement_sources WHERE uai = $1 AND source = 'ij'`,
			[]any{"0932492D"}, "CFA du Cycle et du Motocycle - INCM;093;11"},
	}
	for _, c := range cases {
		var got *string
		if err := pool.QueryRow(context.Background(), c.query, c.args...).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.from, err)
			continue
		}
		if got == nil || *got != c.want {
			g := "<NULL>"
			if got != nil {
				g = *got
			}
			t.Errorf("%s:\n got %s\nwant %s", c.from, g, c.want)
		}
	}
}

// TestEnrichment: the establishment identity merges the referentials and
// falls back on the UAI's département prefix.
func TestEnrichment(t *testing.T) {
	pool, _ := demoPool(t)
	st := store.New(pool)
	ctx := context.Background()
	tests := []struct {
		uai                                 string
		nom, commune, dep, aca, acaNom, reg string
	}{
		// In the annuaire (035).
		{"0350122T", "Ecole primaire publique les Lucioles", "Baulon", "035", "14", "Rennes", "53"},
		// In ACCE and the DEPP files: ACCE's name (precedence 20 > 10).
		{"0010001W", "Lycée professionnel Alexandre Bérard - Lycée des métiers de l'énergie et de l'habitat", "Ambérieu-en-Bugey", "001", "10", "Lyon", "84"},
		// Only in InserJeunes files: académie from the prefix 093.
		{"0932492D", "CFA du Cycle et du Motocycle - INCM", "", "093", "24", "Créteil", "11"},
	}
	for _, tt := range tests {
		e, err := st.Etablissement(ctx, tt.uai)
		if err != nil {
			t.Errorf("%s: %v", tt.uai, err)
			continue
		}
		if e.Nom != tt.nom || e.Commune != tt.commune || e.Departement.Code != tt.dep || e.Academie.Code != tt.aca ||
			e.Academie.Nom != tt.acaNom || e.Region.Code != tt.reg || e.Region.Nom == "" {
			t.Errorf("%s: got %+v", tt.uai, e)
		}
	}
}

// TestPrecedence: the DEPP CFA file and the portal export both hold
// 0932492D for 2020_2021 (values differ: the portal is a later revision,
// SOURCES.md §A2) and 2022_2023 (identical); both are stored, the portal
// is shown, the DEPP file stays traceable.
func TestPrecedence(t *testing.T) {
	pool, _ := demoPool(t)
	ctx := context.Background()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ij_etab WHERE uai = '0932492D' AND millesime IN ('2020_2021', '2022_2023')`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("0932492D 2020_2021 + 2022_2023: %d rows stored (%v), want 4 (two sources each)", n, err)
	}
	figs, err := store.New(pool).EtablissementFigures(ctx, "0932492D")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range figs {
		if f.Millesime != "2020_2021" && f.Millesime != "2022_2023" {
			continue
		}
		found++
		if f.Source.Format != "portail_ij_cfa" || f.Source.Fichier != "inserjeunes_cfa_etab_2018-2023.csv" {
			t.Errorf("%s: shown source %+v, want the portal export", f.Millesime, f.Source)
		}
		if len(f.AutresSources) != 1 || f.AutresSources[0].Fichier != "depp_ij_etab_cfa_"+f.Millesime+".csv" {
			t.Errorf("%s: other sources %+v, want the DEPP CFA file", f.Millesime, f.AutresSources)
		}
		// Portal line 1346 `cumul 2020-2021;0932492D;…;23.0;71.0;68.0;3.0;…`
		// vs DEPP `…;23;71;67;4;…`: the portal's attendu 68 and VA 3 win.
		if f.Millesime == "2020_2021" && (f.TauxEmploi6MoisAttendu == nil || *f.TauxEmploi6MoisAttendu != 68 || *f.ValeurAjoutee != 3) {
			t.Errorf("2020_2021: attendu/VA %v/%v, want the portal's 68/3", f.TauxEmploi6MoisAttendu, f.ValeurAjoutee)
		}
		if f.Statut != "ok" || f.MillesimeLabel == "" {
			t.Errorf("%s: statut %q, label %q", f.Millesime, f.Statut, f.MillesimeLabel)
		}
	}
	if found != 2 {
		t.Errorf("%d figures for 2020_2021/2022_2023, want 2 (one per millésime)", found)
	}
}

// TestReimportIdempotent: importing the same files again, read whole
// (--force: without it they are skipped, see current_test.go), changes no
// data row, reports every row unchanged, and makes no new data version: the run
// is recorded « sans changement », the serving nodes keep their cache and
// index, and the pages list no new run.
func TestReimportIdempotent(t *testing.T) {
	pool, _ := demoPool(t)
	ctx := context.Background()
	st := store.New(pool)
	version, err := st.DataVersion(ctx)
	if err != nil || version == 0 {
		t.Fatalf("data version %d, %v", version, err)
	}
	runsBefore, err := st.ImportRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := testdb.TableChecksums(t, pool)
	t0 := time.Now()
	rep, err := Run(ctx, pool, demoFiles(t), Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("re-import of the %d real demo files: %v", len(rep.Files), time.Since(t0).Round(time.Millisecond))
	if rep.Changed || rep.Changes != 0 || rep.DataVersion != version || rep.RunID <= version {
		t.Errorf("report: changed %v, %d changes, data version %d (was %d), run %d", rep.Changed, rep.Changes, rep.DataVersion, version, rep.RunID)
	}
	if v, err := st.DataVersion(ctx); err != nil || v != version {
		t.Errorf("data version %d after an import that changed nothing (%v), want %d", v, err, version)
	}
	var changed bool
	if err := pool.QueryRow(ctx, `SELECT changed FROM import_runs WHERE id = $1`, rep.RunID).Scan(&changed); err != nil || changed {
		t.Errorf("import_runs %d: changed = %v (%v), want false", rep.RunID, changed, err)
	}
	if runs, err := st.ImportRuns(ctx); err != nil || len(runs) != len(runsBefore) || runs[0].ID != runsBefore[0].ID {
		t.Errorf("the run list changed: %d runs (%v), %d before", len(runs), err, len(runsBefore))
	}
	after := testdb.TableChecksums(t, pool)
	if ch := changedTables(before, after, "import_runs", "import_files"); len(ch) > 0 {
		t.Errorf("second import changed %v", ch)
	}
	if before["import_runs"] == after["import_runs"] || before["import_files"] == after["import_files"] {
		t.Error("the second run is not recorded in import_runs/import_files")
	}
	for _, f := range rep.Files {
		if f.Loaded != 0 || f.Unchanged+f.Ignored != f.Read {
			t.Errorf("%s: loaded %d, unchanged %d, ignored %d of %d read; want every row unchanged", f.Name, f.Loaded, f.Unchanged, f.Ignored, f.Read)
		}
	}
	// The run is recorded with its counts.
	var read, loaded, unchanged int
	if err := pool.QueryRow(context.Background(), `SELECT rows_read, loaded, unchanged FROM import_runs WHERE id = $1`, rep.RunID).Scan(&read, &loaded, &unchanged); err != nil {
		t.Fatal(err)
	}
	if loaded != 0 || read == 0 || unchanged == 0 {
		t.Errorf("import_runs %d: read %d, loaded %d, unchanged %d", rep.RunID, read, loaded, unchanged)
	}
}

// TestChangedRunAndDryRun: a dry run takes no number from the sequences and
// leaves everything as it was, while saying what the run would change;
// the real run then gets the next number and becomes the data version.
func TestChangedRunAndDryRun(t *testing.T) {
	pool, _ := demoPool(t)
	ctx := context.Background()
	st := store.New(pool)
	lp := fileLines(t, "depp_ij_etab_lycee_pro_2021_2022.csv")
	path := writeFile(t, t.TempDir(), "depp_ij_etab_lycee_pro_2021_2022.csv", lines("\r\n", lp[0], setField(lp[1], 5, "99"), lp[2]))
	sequences := func() string {
		var s string
		if err := pool.QueryRow(ctx, `SELECT (SELECT last_value || '/' || is_called FROM import_runs_id_seq) || ' ' ||
			(SELECT last_value || '/' || is_called FROM import_files_id_seq)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	var lastRun int64
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM import_runs`).Scan(&lastRun); err != nil {
		t.Fatal(err)
	}
	seqs, before := sequences(), testdb.TableChecksums(t, pool)
	for i := 0; i < 3; i++ {
		rep, err := Run(ctx, pool, []string{path}, Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Changed || rep.Changes != 1 || rep.RunID != 0 || rep.Files[0].Loaded != 1 {
			t.Errorf("dry run: changed %v, %d changes, run %d, loaded %d; want true, 1, 0, 1", rep.Changed, rep.Changes, rep.RunID, rep.Files[0].Loaded)
		}
	}
	if got := sequences(); got != seqs {
		t.Errorf("sequences after three dry runs: %s, before: %s", got, seqs)
	}
	if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Errorf("a dry run changed %v", ch)
	}
	rep, err := Run(ctx, pool, []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the demo figure back, as a later run
		if _, err := Run(ctx, pool, []string{demoPath("depp_ij_etab_lycee_pro_2021_2022.csv")}, Options{}); err != nil {
			t.Error(err)
		}
	})
	if rep.RunID != lastRun+1 || !rep.Changed || rep.Changes != 1 || rep.DataVersion != rep.RunID {
		t.Errorf("run %d (want %d), changed %v, %d changes, data version %d", rep.RunID, lastRun+1, rep.Changed, rep.Changes, rep.DataVersion)
	}
	if v, err := st.DataVersion(ctx); err != nil || v != rep.RunID {
		t.Errorf("data version %d (%v), want %d", v, err, rep.RunID)
	}
	if runs, err := st.ImportRuns(ctx); err != nil || len(runs) == 0 || runs[0].ID != rep.RunID {
		t.Errorf("the run list does not start with run %d (%v)", rep.RunID, err)
	}
}

// TestEveryFigureKnowsItsFile checks what the dropped foreign keys used to
// (migration 00003): every row of every data table points to an existing
// import_files row, and so to its run.
func TestEveryFigureKnowsItsFile(t *testing.T) {
	pool, _ := demoPool(t)
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'file_id' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables with file_id: %v", len(tables), tables)
	}
	for _, tb := range tables {
		var n, orphans int
		if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (
			SELECT 1 FROM import_files f JOIN import_runs r ON r.id = f.run_id WHERE f.id = t.file_id))
			FROM `+tb+` t`).Scan(&n, &orphans); err != nil {
			t.Fatal(err)
		}
		if orphans != 0 {
			t.Errorf("%s: %d of %d rows point to no import file", tb, orphans, n)
		}
	}
}
