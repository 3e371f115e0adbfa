package importer

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/encoding/charmap"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// The malformed corpus runs against its own database holding a small
// real baseline, so that a checksum of every table is cheap enough to
// take after each case.
var (
	baseOnce sync.Once
	baseErr  error
)

func baselinePool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := testdb.Pool(t, "importer_malformed")
	baseOnce.Do(func() {
		var files []string
		for _, n := range []string{"ref_regions.csv", "ref_departements_academies_regions.csv", "acce_uai_extrait_2024-02.csv",
			"bcn_n_niveau_formation_diplome.csv", "bcn_n_groupe_specialite.csv", "depp_ij_etab_cfa_2022_2023.csv"} {
			files = append(files, demoPath(n))
		}
		// The first 300 rows of the région × formation file.
		rf := fileLines(t, "ij_api_region_formation_2019-2022.csv")
		files = append(files, writeFile(t, t.TempDir(), "ij_api_region_formation_head.csv", lines("\n", rf[:301]...)))
		_, baseErr = Run(context.Background(), pool, files, Options{})
	})
	if baseErr != nil {
		t.Fatalf("baseline import: %v", baseErr)
	}
	return pool
}

// setField replaces field i of a ';'-separated line.
func setField(line string, i int, v string) string {
	f := strings.Split(line, ";")
	f[i] = v
	return strings.Join(f, ";")
}

// dropField removes field i of a ';'-separated line.
func dropField(line string, i int) string {
	f := strings.Split(line, ";")
	return strings.Join(append(f[:i:i], f[i+1:]...), ";")
}

func utf16LE(s string, bom bool) []byte {
	var b bytes.Buffer
	if bom {
		b.Write([]byte{0xFF, 0xFE})
	}
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&b, binary.LittleEndian, u)
	}
	return b.Bytes()
}

func utf16BE(s string) []byte {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&b, binary.BigEndian, u)
	}
	return b.Bytes()
}

// portalJSON turns lines of the portal export into the technical JSON
// records of the same dataset (FORMATS.md §4.1).
func portalJSON(t *testing.T, ls []string) []map[string]any {
	keys := []string{"annee", "uai", "libelle", "region", "part_en_poursuite_d_etudes", "part_en_emploi_6_mois_apres_la_sortie",
		"part_des_autres_situations", "taux_contrats_interrompus", "taux_poursuite_etudes", "taux_emploi_6_mois",
		"taux_emploi_6_mois_attendu", "va_emploi_6_mois", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois", "num_ligne"}
	var out []map[string]any
	for _, l := range ls {
		f := strings.Split(l, ";")
		if len(f) != len(keys) {
			t.Fatalf("portal line with %d fields", len(f))
		}
		o := map[string]any{}
		for i, k := range keys {
			if f[i] == "" {
				o[k] = nil
			} else {
				o[k] = f[i]
			}
		}
		out = append(out, o)
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

type inputFile struct {
	name string
	data []byte
}

type malformedCase struct {
	what  string      // what is wrong with the input
	files []inputFile // written to a temporary directory, imported in one run
	opt   Options
	want  string // expected substring of the error
	// rowLevel: the error is a *RejectedError (rows refused), not a
	// file-level error.
	rowLevel bool
}

// to1252 encodes UTF-8 text in Windows-1252.
func to1252(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := charmap.Windows1252.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func one(name string, data []byte) []inputFile { return []inputFile{{name, data}} }

func malformedCorpus(t *testing.T) []malformedCase {
	// Real lines the inputs are built from.
	lp := fileLines(t, "depp_ij_etab_lycee_pro_2021_2022.csv") // lp[1]: 0010001W ensemble 57;54;45;9;57;23;20
	lpHead, lpRow := lp[0], lp[1]
	const lpName = "depp_ij_etab_lycee_pro_2021_2022.csv"
	lpFile := func(rows ...string) []byte { return lines("\r\n", append([]string{lpHead}, rows...)...) }

	legacy := fileLines(t, "depp_ij_etab_cfa_2018_2019.csv") // quoted legacy layout
	portal := fileLines(t, "inserjeunes_cfa_etab_2018-2023.csv")
	const portalName = "inserjeunes_cfa_etab.csv"
	portalFile := func(head string, rows ...string) []byte {
		return append([]byte("\ufeff"), lines("\r\n", append([]string{head}, rows...)...)...)
	}
	rf := fileLines(t, "ij_api_region_formation_2019-2022.csv")
	rfHead, rfScol, rfApp := rf[0], rf[1], rf[349] // 32221022002 (IDF, scolaire), 32020008 (IDF, apprentissage)
	const rfName = "ij_api_region_formation.csv"
	rfFile := func(rows ...string) []byte { return lines("\n", append([]string{rfHead}, rows...)...) }
	mef := fileLines(t, "bcn_n_mef.csv")
	mefFile := func(rows ...string) []byte { return lines("\n", append([]string{mef[0]}, rows...)...) }

	// Column indexes of the région × formation header.
	rfCol := map[string]int{}
	for i, c := range strings.Split(rfHead, ";") {
		rfCol[c] = i
	}

	xs := func(n int) string { return strings.Repeat("x", n) }
	rnd := rand.New(rand.NewSource(42))
	garbage := make([]byte, 64<<10)
	rnd.Read(garbage)
	pngLike := append([]byte("\x89PNG\r\n\x1a\n"), garbage[:4096]...)
	gz := gzipBytes(lpFile(lpRow, lp[2], lp[3]))

	// A bare '"' inside the first field of an unquoted DEPP file.
	bareQuote := `0010"001W` + lpRow[len("0010001W"):]

	return []malformedCase{
		// --- encodings
		{what: "UTF-16 LE with BOM", files: one(lpName, utf16LE(string(lpFile(lpRow)), true)),
			want: "UTF-16 non pris en charge"},
		{what: "UTF-16 BE without BOM (NUL bytes)", files: one(lpName, utf16BE(string(lpFile(lpRow)))),
			want: "octet nul"},
		{what: "invalid UTF-8 after a BOM (é written in Windows-1252)",
			files: one(lpName, append([]byte("\ufeff"), bytes.ReplaceAll(lpFile(lpRow), []byte("é"), []byte{0xE9})...)),
			want:  "le fichier annonce UTF-8 (BOM) mais contient des octets invalides"},
		{what: "byte 0x81, undefined in Windows-1252", files: one(lpName, bytes.Replace(to1252(t, lpFile(lpRow)), []byte{0xE9}, []byte{0x81}, 1)),
			want: "ni UTF-8 ni Windows-1252"},
		{what: "valid UTF-8, then one é written in Windows-1252", files: one(lpName, bytes.Replace(lpFile(lpRow, lp[2]), []byte("Bérard"), []byte("B\xe9rard"), 1)),
			want: lpName + ":2: octet 0xE9 invalide en UTF-8 à l'octet "},
		{what: "valid UTF-8, then one é written in Windows-1252 (message)", files: one(lpName, bytes.Replace(lpFile(lpRow, lp[2]), []byte("Bérard"), []byte("B\xe9rard"), 1)),
			want: "le fichier mélange des encodages ; réenregistrez-le en UTF-8"},
		{what: "Windows-1252, then a valid UTF-8 sequence", files: one(lpName, append(to1252(t, lpFile(lpRow, lp[2])), []byte(lp[3]+"\r\n")...)),
			want: lpName + ":1: octet 0xB0 invalide en UTF-8 à l'octet 1 : le fichier mélange des encodages (UTF-8 valide ligne 4"},
		{what: "a label that is UTF-8 read as Windows-1252 (Ã©)", files: one(lpName, lpFile(strings.Replace(lpRow, "Bérard", "BÃ©rard", 1))),
			want: lpName + `:2: Libellé de l'établissement: "Lycée professionnel Alexandre BÃ©rard - `, rowLevel: true},
		{what: "a label that is UTF-8 read as Windows-1252 (reason)", files: one(lpName, lpFile(strings.Replace(lpRow, "Bérard", "BÃ©rard", 1))),
			want: `texte mal décodé ("Ã©") : de l'UTF-8 relu comme du Windows-1252`, rowLevel: true},
		{what: "a label with â€™ (’ read as Windows-1252)", files: one(lpName, lpFile(lp[2], strings.Replace(lpRow, "Bérard", "Lâ€™Bérard", 1))),
			want: lpName + `:3: Libellé de l'établissement: "Lycée professionnel Alexandre Lâ€™Bérard`, rowLevel: true},
		{what: "a header that is UTF-8 read as Windows-1252", files: one("export.csv", lines("\r\n", strings.ReplaceAll(lpHead, "é", "Ã©"), lpRow)),
			want: `l'en-tête semble mal décodé ("Ã©")`},
		{what: "NUL byte in a field", files: one(lpName, bytes.Replace(lpFile(lpRow), []byte("Bérard"), []byte("B\x00rard"), 1)),
			want: "octet nul"},
		{what: "BOM in the middle of the file", files: one(lpName, lpFile(lp[2], "\ufeff"+lpRow)),
			want: lpName + `:3: n°UAI de l'établissement: "\ufeff0010001W": caractère BOM (U+FEFF) inattendu au milieu du fichier`, rowLevel: true},
		// --- whole-file problems
		{what: "empty file", files: one(lpName, nil), want: "fichier vide"},
		{what: "blank lines only", files: one(lpName, []byte("\r\n\r\n  \n")), want: "fichier vide"},
		{what: "header only", files: one(lpName, lpFile()), want: "aucune ligne de données après l'en-tête"},
		{what: "binary garbage (PNG-like)", files: one("image.csv", pngLike), want: "fichier binaire"},
		{what: "random bytes", files: one("random.csv", garbage), want: "fichier binaire"},
		{what: "gzip with a corrupt header", files: one(lpName+".gz", append([]byte{0x1f, 0x8b, 0x08, 0xff}, garbage[:100]...)),
			want: "archive gzip"},
		{what: "gzip truncated", files: one(lpName+".gz", gz[:len(gz)/2]), want: "archive gzip tronquée ou corrompue"},
		{what: "unknown format", files: one("export.csv", []byte("nom;prenom;age\nDupont;Jean;42\n")),
			want: "format non reconnu"},
		{what: "a single 10 MB line (no header)", files: one("huge.csv", []byte(strings.Repeat("0123456789", 1<<20))),
			want: "huge.csv:1: ligne trop longue : plus de 1048576 octets sans fin de ligne (au plus 1 Mio par ligne)"},
		{what: "old Mac line endings (CR only): one header line", files: one(lpName, []byte(lpHead+"\r"+lpRow+"\r")),
			want: lpName + ":1: fins de ligne CR seules (Mac classique) : convertissez en LF ou CRLF"},
		{what: "old Mac line endings (CR only), over 1 MiB", files: one(lpName, []byte(lpHead+"\r"+strings.Repeat(lpRow+"\r", 2<<20/len(lpRow)))),
			want: lpName + ":1: fins de ligne CR seules (Mac classique) : convertissez en LF ou CRLF"},
		{what: "a CR alone inside a CRLF file", files: one(lpName, lpFile(lp[2], lpRow+"\r"+lp[3])),
			want: lpName + `:3: Part des autres situations: "20\r0010006B": retour chariot (CR) seul`, rowLevel: true},
		{what: "a CR alone inside a CRLF file (reason)", files: one(lpName, lpFile(lp[2], lpRow+"\r"+lp[3])),
			want: "retour chariot (CR) seul dans la ligne : fins de ligne CR seules (Mac classique)", rowLevel: true},
		{what: "unknown --source", files: one(lpName, lpFile(lpRow)), opt: Options{Source: "depp_xyz"},
			want: `--source "depp_xyz" inconnu`},
		// --- header problems
		{what: "missing column (Valeur ajoutée)", files: one(lpName, lines("\r\n", dropField(lpHead, 7), dropField(lpRow, 7))),
			want: `colonne(s) manquante(s) : "Valeur ajoutée"`},
		{what: "renamed column (Taux emploi 6 mois → Taux d'emploi 6 mois)",
			files: one(portalName, portalFile(strings.Replace(portal[0], ";Taux emploi 6 mois;", ";Taux d'emploi 6 mois;", 1), portal[2])),
			want:  `colonne(s) manquante(s) : "Taux emploi 6 mois"`},
		{what: "millésime missing from a DEPP file name", files: one("depp_ij_etab_lycee_pro.csv", lpFile(lpRow)),
			want: "millésime introuvable dans le nom du fichier"},
		{what: "legacy layout whose name says neither lycée pro nor CFA",
			files: one("depp_ij_etab_2018_2019.csv", lines("\n", legacy[0], legacy[1])),
			want:  "ne dit pas s'il s'agit de lycées professionnels"},
		// --- row shape
		{what: "extra column in a row", files: one(lpName, lpFile(lpRow+";12")),
			want: lpName + `:2: -: "0010001W;`, rowLevel: true},
		{what: "extra column in a row (count)", files: one(lpName, lpFile(lpRow+";12")),
			want: "12 colonnes au lieu de 11", rowLevel: true},
		{what: "missing field in a row", files: one(lpName, lpFile(dropField(lpRow, 10))),
			want: "10 colonnes au lieu de 11", rowLevel: true},
		{what: "a 10 MB line without separator", files: one(lpName, lpFile(lp[2], xs(10<<20))),
			want: lpName + ":3: ligne trop longue : plus de 1048576 octets sans fin de ligne"},
		{what: "a 5,000-byte field (libellé)", files: one(lpName, lpFile(setField(lpRow, 1, xs(5000)))),
			want: lpName + `:2: Libellé de l'établissement: "xxxx`, rowLevel: true},
		{what: "a 5,000-byte field (reason)", files: one(lpName, lpFile(setField(lpRow, 1, xs(5000)))),
			want: "champ trop long (5000 octets, 4096 au plus)", rowLevel: true},
		{what: "an open quote followed by 2 MiB of short lines", files: one("depp_ij_etab_cfa_2018_2019.csv",
			[]byte(strings.Join(legacy[:3], "\n")+"\n"+`"0010880B";"Centre de Formation`+strings.Repeat("\nx;y", 1<<19))),
			want: "depp_ij_etab_cfa_2018_2019.csv:4: enregistrement de plus de 1 Mio (un guillemet ouvert n'est jamais fermé ?)"},
		{what: "truncated last line (open quote)", files: one("depp_ij_etab_cfa_2018_2019.csv",
			[]byte(strings.Join(legacy[:3], "\n")+"\n"+`"0010880B";"Centre de Formation`)),
			want: "depp_ij_etab_cfa_2018_2019.csv:4: -: \"\": guillemet mal fermé (ligne tronquée ?)", rowLevel: true},
		{what: "bare quote in the first field", files: one(lpName, lpFile(bareQuote)),
			want: lpName + `:2: -: "": guillemet isolé dans un champ non protégé`, rowLevel: true},
		// --- values
		{what: "text in a rate", files: one(lpName, lpFile(setField(lpRow, 5, "abc"))),
			want: lpName + `:2: Taux: "abc": taux : nombre entier attendu`, rowLevel: true},
		{what: "rate 140", files: one(lpName, lpFile(setField(lpRow, 4, "140"))),
			want: lpName + `:2: Taux de poursuite d'études: "140": taux hors bornes (0 à 100 attendu)`, rowLevel: true},
		{what: "decimal rate 42.5", files: one(lpName, lpFile(setField(lpRow, 5, "42.5"))),
			want: `Taux: "42.5": taux : nombre entier attendu`, rowLevel: true},
		{what: "rate in scientific notation 1e2", files: one(lpName, lpFile(setField(lpRow, 5, "1e2"))),
			want: `Taux: "1e2": taux : nombre entier attendu`, rowLevel: true},
		{what: "negative rate", files: one(lpName, lpFile(setField(lpRow, 8, "-3"))),
			want: `Part en poursuite d'études: "-3": taux hors bornes`, rowLevel: true},
		{what: "valeur ajoutée 140", files: one(lpName, lpFile(setField(lpRow, 7, "140"))),
			want: `Valeur ajoutée: "140": valeur hors bornes (-100 à 100 attendu)`, rowLevel: true},
		{what: "bad UAI check letter", files: one(lpName, lpFile(setField(lpRow, 0, "0010001X"))),
			want: lpName + `:2: n°UAI de l'établissement: "0010001X": UAI "0010001X" invalide : la lettre de contrôle devrait être W`, rowLevel: true},
		{what: "UAI of 7 characters", files: one(lpName, lpFile(setField(lpRow, 0, "001001W"))),
			want: `8 caractères attendus (7 chiffres et une lettre), 7 reçus`, rowLevel: true},
		{what: "empty UAI", files: one(lpName, lpFile(setField(lpRow, 0, ""))),
			want: `n°UAI de l'établissement: "": UAI vide`, rowLevel: true},
		{what: "duplicate key", files: one(lpName, lpFile(lpRow, lp[2], lpRow)),
			want: lpName + `:4: uai+millesime+voie+sous_population+source: "0010001W|2021_2022|scolaire|ensemble|depp_scolaire": clé en double (déjà vue ligne 2)`, rowLevel: true},
		{what: "unknown région label", files: one(lpName, lpFile(setField(lpRow, 2, "ILE DE FRANCE NORD"))),
			want: `Région: "ILE DE FRANCE NORD": libellé de région inconnu`, rowLevel: true},
		{what: "unknown sous-population", files: one(lpName, lpFile(setField(lpRow, 3, "dont stagiaires"))),
			want: `Dont apprentis en EPLE: "dont stagiaires": sous-population inconnue`, rowLevel: true},
		{what: "bad millésime (not consecutive)", files: one(portalName, portalFile(portal[0], strings.Replace(portal[2], "cumul 2022-2023", "cumul 2022-2024", 1))),
			want: portalName + `:2: Année: "cumul 2022-2024": millésime "cumul 2022-2024" invalide : les deux années doivent se suivre`, rowLevel: true},
		{what: "millésime that is not a year", files: one(portalName, portalFile(portal[0], strings.Replace(portal[2], "cumul 2022-2023", "cumul", 1))),
			want: `Année: "cumul": millésime vide`, rowLevel: true},
		{what: "invalid CFD", files: one(rfName, rfFile(setField(rfApp, rfCol["cfd"], "3202000"))),
			want: rfName + `:2: cfd: "3202000": CFD "3202000" invalide : 8 caractères alphanumériques attendus`, rowLevel: true},
		{what: "invalid MEFSTAT11", files: one(rfName, rfFile(setField(rfScol, rfCol["mefstat11"], "3222102200"))),
			want: `mefstat11: "3222102200": MEFSTAT11 "3222102200" invalide`, rowLevel: true},
		{what: "negative count", files: one(rfName, rfFile(setField(rfScol, rfCol["nb_en_emploi_6_mois"], "-9"))),
			want: `nb_en_emploi_6_mois: "-9": effectif hors bornes`, rowLevel: true},
		{what: "count invariant broken (nb_sortant + nb_poursuite_etudes ≠ nb_annee_term)",
			files: one(rfName, rfFile(setField(rfScol, rfCol["nb_sortant"], "22"))),
			want:  `nb_annee_term: "52": incohérence : nb_sortant (22) + nb_poursuite_etudes (31) ≠ nb_annee_term (52)`, rowLevel: true},
		{what: "more in employment than leavers", files: one(rfName, rfFile(setField(rfScol, rfCol["nb_en_emploi_24_mois"], "25"))),
			want: `nb_en_emploi_24_mois: "25": incohérence : plus d'élèves en emploi (25) que de sortants (21)`, rowLevel: true},
		{what: "unknown voie", files: one(rfName, rfFile(setField(rfApp, rfCol["voie"], "apprenti"))),
			want: `voie: "apprenti": voie inconnue (scolaire ou apprentissage attendu)`, rowLevel: true},
		{what: "région INSEE / IJ code mismatch", files: one(rfName, rfFile(setField(rfScol, rfCol["code_region"], "84"))),
			want: `code_region_ij: "10": code région InserJeunes incohérent avec la région INSEE 84 (attendu 01)`, rowLevel: true},
		{what: "unknown INSEE région", files: one(rfName, rfFile(setField(rfScol, rfCol["code_region"], "99"))),
			want: `code_region: "99": code région INSEE inconnu`, rowLevel: true},
		{what: "bad date in N_MEF", files: one("bcn_n_mef.csv", mefFile(setField(mef[1], 8, "31/02/2025"))),
			want: `bcn_n_mef.csv:2: DATE_FERMETURE: "31/02/2025": date JJ/MM/AAAA attendue`, rowLevel: true},
		{what: "MEF code of 9 digits", files: one("bcn_n_mef.csv", mefFile(setField(mef[1], 0, "254334042"))),
			want: `MEF: "254334042": code MEF sur 10 chiffres attendu`, rowLevel: true},
		{what: "text in a count (N_MEF duration)", files: one("bcn_n_mef.csv", mefFile(setField(mef[1], 3, "2a"))),
			want: `DUREE_DISPOSITIF: "2a": effectif : nombre entier attendu`, rowLevel: true},
		{what: "région code of 3 characters", files: one("ref_regions.csv", []byte("libelleRegion;codeRegion\nGuadeloupe;001\n")),
			want: `ref_regions.csv:2: codeRegion: "001": code région sur 2 caractères attendu`, rowLevel: true},
		// --- JSON
		{what: "JSON not an array", files: one("portail.json", []byte(`{"annee": "cumul 2022-2023", "uai": "0932492D"}`)),
			want: "JSON : un tableau d'enregistrements est attendu"},
		{what: "JSON empty array", files: one("portail.json", []byte(`[]`)), want: "JSON : aucun enregistrement"},
		{what: "JSON array of numbers", files: one("portail.json", []byte(`[1, 2, 3]`)), want: "enregistrement 1 : un objet est attendu"},
		{what: "JSON truncated", files: one("portail.json", mustJSON(portalJSON(t, portal[1:3]))[:300]), want: "JSON invalide"},
		{what: "JSON: two documents one after the other", files: one("portail.json", append(mustJSON(portalJSON(t, portal[1:3])), mustJSON(portalJSON(t, portal[3:4]))...)),
			want: "JSON invalide : des données suivent la fin du document"},
		{what: "JSON record of 2 MiB", files: one("portail.json", func() []byte {
			recs := portalJSON(t, portal[1:3])
			recs[1]["libelle"] = xs(2 << 20)
			return mustJSON(recs)
		}()), want: "portail.json : JSON : enregistrement 2 de plus de 1 Mio"},
		{what: "JSON with a byte that is not UTF-8", files: one("portail.json", func() []byte {
			recs := portalJSON(t, portal[1:3])
			recs[0]["libelle"], recs[1]["libelle"] = "Lycée", "Lycée"
			b := mustJSON(recs)
			i := bytes.LastIndex(b, []byte("é"))
			return append(append(b[:i:i], 0xE9), b[i+2:]...)
		}()), want: "portail.json:1: octet 0xE9 invalide en UTF-8 à l'octet "},
		{what: "JSON record with a renamed key", files: one("portail.json", func() []byte {
			recs := portalJSON(t, portal[1:4])
			recs[2]["taux_emploi_6mois"] = recs[2]["taux_emploi_6_mois"]
			delete(recs[2], "taux_emploi_6_mois")
			return mustJSON(recs)
		}()), want: `portail.json:3: -: `, rowLevel: true},
		{what: "JSON rate out of range", files: one("portail.json", func() []byte {
			recs := portalJSON(t, portal[1:3])
			recs[1]["taux_emploi_6_mois"] = "140.0"
			return mustJSON(recs)
		}()), want: `portail.json:2: taux_emploi_6_mois: "140.0": taux hors bornes`, rowLevel: true},
		// --- a run with one good file and one bad file writes nothing
		{what: "good file + bad file in one run", files: []inputFile{
			{lpName, lpFile(lpRow, lp[2], lp[3])},
			{rfName, rfFile(rfApp, setField(rfScol, rfCol["taux_emploi_6_mois"], "140"))},
		}, want: rfName + `:3: taux_emploi_6_mois: "140": taux hors bornes`, rowLevel: true},
		{what: "good file + unreadable file in one run", files: []inputFile{
			{lpName, lpFile(lpRow, lp[2], lp[3])},
			{"z_" + lpName + ".gz", gz[:len(gz)/2]},
		}, want: "archive gzip tronquée"},
	}
}

// TestMalformedInputs imports each malformed input and checks the error
// and that every table is byte-for-byte as before.
func TestMalformedInputs(t *testing.T) {
	pool := baselinePool(t)
	ctx := context.Background()
	base := testdb.TableChecksums(t, pool)
	corpus := malformedCorpus(t)
	if len(corpus) < 30 {
		t.Fatalf("%d malformed inputs, at least 30 wanted", len(corpus))
	}
	for _, c := range corpus {
		t.Run(c.what, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for _, f := range c.files {
				paths = append(paths, writeFile(t, dir, f.name, f.data))
			}
			_, err := Run(ctx, pool, paths, c.opt)
			if err == nil {
				t.Fatalf("imported without error, want %q", c.want)
			}
			if msg := err.Error(); !strings.Contains(msg, c.want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", trunc(msg, 2000), c.want)
			}
			if got := errors.Is(err, ErrRejected); got != c.rowLevel {
				t.Errorf("errors.Is(err, ErrRejected) = %v, want %v", got, c.rowLevel)
			}
			if ch := changedTables(base, testdb.TableChecksums(t, pool)); len(ch) > 0 {
				t.Errorf("tables changed: %v", ch)
			}
		})
	}
}
