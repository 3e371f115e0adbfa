package importer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// fuzzNames are the file names the fuzzed bytes are written under: the
// name carries the millésime of the DEPP files and the voie of the legacy
// ones, so it selects a code path.
var fuzzNames = []string{
	"depp_ij_etab_lycee_pro_2021_2022.csv",
	"depp_ij_etab_cfa_2018_2019.csv",
	"inserjeunes_cfa_etab_2018-2023.csv",
	"ij_api_region_formation_2019-2022.csv",
	"bcn_n_mef.csv",
	"bcn_n_formation_diplome.csv",
	"annuaire_education_dep035_2023-06.csv",
	"portail.json",
	"insersup.json",
}

// FuzzParseFile runs the whole parse path (decode, detect, read, validate,
// duplicate keys) on arbitrary bytes, without the database. It must never
// panic, and what it accepts must be consistent.
func FuzzParseFile(f *testing.F) {
	// Seeds: the header and first rows of real files, under their names.
	seed := func(name, demo string, n int) {
		b := rawBytes(f, demo)
		cut := 0
		for i := 0; i < n && cut < len(b); i++ {
			j := strings.IndexByte(string(b[cut:]), '\n')
			if j < 0 {
				cut = len(b)
				break
			}
			cut += j + 1
		}
		for i, nm := range fuzzNames {
			if nm == name {
				f.Add(uint8(i), b[:cut])
			}
		}
	}
	seed("depp_ij_etab_lycee_pro_2021_2022.csv", "depp_ij_etab_lycee_pro_2021_2022.csv", 5)
	seed("depp_ij_etab_cfa_2018_2019.csv", "depp_ij_etab_cfa_2018_2019.csv", 4)
	seed("depp_ij_etab_cfa_2018_2019.csv", "depp_ij_etab_lycee_pro_2019_2020.csv", 4) // legacy 9 columns
	seed("inserjeunes_cfa_etab_2018-2023.csv", "inserjeunes_cfa_etab_2018-2023.csv", 5)
	seed("ij_api_region_formation_2019-2022.csv", "ij_api_region_formation_2019-2022.csv", 5)
	seed("bcn_n_mef.csv", "bcn_n_mef.csv", 4)
	seed("bcn_n_formation_diplome.csv", "bcn_n_formation_diplome.csv", 4) // Windows-1252
	seed("annuaire_education_dep035_2023-06.csv", "annuaire_education_dep035_2023-06.csv", 3)
	// InserSup: the first record of the real extract only (the file is
	// one 94 KB line).
	var recs []json.RawMessage
	if err := json.Unmarshal(rawBytes(f, "insersup_api_extract_uca_meef_2024S2.json"), &recs); err != nil || len(recs) == 0 {
		f.Fatalf("insersup extract: %v", err)
	}
	f.Add(uint8(8), append(append([]byte("["), recs[0]...), ']'))
	f.Add(uint8(7), []byte(`[{"annee":"cumul 2022-2023","uai":"0932492D","libelle":"CFA","region":"ILE-DE-FRANCE","part_en_poursuite_d_etudes":"21.0","part_en_emploi_6_mois_apres_la_sortie":"54.0","part_des_autres_situations":"25.0","taux_contrats_interrompus":null,"taux_poursuite_etudes":"21.0","taux_emploi_6_mois":"68.0","taux_emploi_6_mois_attendu":"70.0","va_emploi_6_mois":"-2.0","taux_emploi_12_mois":"77.0","taux_emploi_18_mois":null,"taux_emploi_24_mois":null}]`))
	f.Add(uint8(7), []byte(`[{"annee":"cumul 2022-2023","uai":"0932492D"},{"uai":"0932492D"}]`)) // a record with fewer keys
	f.Add(uint8(0), []byte("\xef\xbb\xbf"))
	f.Add(uint8(1), []byte("\"n°UAI de l'établissement\";\"Libellé\";\"Région\"\n\"0010826T"))

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := fuzzNames[int(which)%len(fuzzNames)]
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fr, err := parseFile(path, Options{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		checkParsed(t, fr)
	})
}

// checkParsed checks the invariants of an accepted file.
func checkParsed(t *testing.T, fr *FileReport) {
	t.Helper()
	p := fr.parsed
	accepted := fr.Read - fr.Rejected
	if fr.Read <= 0 || fr.Rejected < 0 || accepted < 0 || fr.Ignored < 0 || fr.Ignored > accepted {
		t.Fatalf("read %d, rejected %d, ignored %d", fr.Read, fr.Rejected, fr.Ignored)
	}
	if got := len(p.rows[p.format.Targets[0]]); got != accepted-fr.Ignored {
		t.Fatalf("%d primary rows for %d accepted and %d ignored", got, accepted, fr.Ignored)
	}
	if fr.Rejected > len(fr.Rejects) || (fr.Rejected > 0) != (len(fr.Rejects) > 0) {
		t.Fatalf("%d rejected rows, %d rejects", fr.Rejected, len(fr.Rejects))
	}
	for _, r := range fr.Rejects {
		if r.Line < 1 || r.Reason == "" || r.Column == "" || r.File != fr.Name {
			t.Fatalf("malformed reject %+v", r)
		}
		if !utf8.ValidString(r.String()) {
			t.Fatalf("reject not UTF-8: %q", r.String())
		}
	}
	for _, m := range fr.Millesimes {
		if mm, err := model.ParseMillesime(m); err != nil || mm.String() != m {
			t.Fatalf("millésime %q not canonical", m)
		}
	}
	for _, tg := range p.format.Targets {
		keys := map[string]bool{}
		idx := keyIndexes(tg)
		for _, vals := range p.rows[tg] {
			if len(vals) != len(tg.Cols) {
				t.Fatalf("%s: %d values for %d columns", tg.Table, len(vals), len(tg.Cols))
			}
			var kb []byte
			for _, i := range idx {
				if vals[i] == nil || vals[i] == "" {
					t.Fatalf("%s: empty key column %s in %v", tg.Table, tg.Cols[i], vals)
				}
				kb = appendKey(kb, vals[i])
			}
			if keys[string(kb)] {
				t.Fatalf("%s: key %q twice", tg.Table, kb)
			}
			keys[string(kb)] = true
			for i, c := range tg.Cols {
				checkValue(t, tg.Table, c, vals[i])
			}
		}
	}
}

// checkValue: identifiers are valid, rates and counts within bounds,
// strings valid UTF-8 without NUL.
func checkValue(t *testing.T, table, col string, v any) {
	t.Helper()
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) || strings.ContainsRune(x, 0) || len(x) > maxField {
			t.Fatalf("%s.%s: bad string %q", table, col, trunc(x, 80))
		}
		switch col {
		case "uai":
			if u, err := model.NormalizeUAI(x); err != nil || u != x {
				t.Fatalf("%s.uai %q: %v", table, x, err)
			}
		case "cfd":
			if c, err := model.NormalizeCFD(x); err != nil || c != x {
				t.Fatalf("%s.cfd %q: %v", table, x, err)
			}
		case "mefstat11":
			if c, err := model.NormalizeMEFSTAT11(x); err != nil || c != x {
				t.Fatalf("%s.mefstat11 %q: %v", table, x, err)
			}
		case "millesime":
			if m, err := model.ParseMillesime(x); err != nil || m.String() != x {
				t.Fatalf("%s.millesime %q: %v", table, x, err)
			}
		}
	case int32:
		switch {
		case col == "valeur_ajoutee":
			if x < -100 || x > 100 {
				t.Fatalf("%s.%s = %d", table, col, x)
			}
		case strings.HasPrefix(col, "taux_") || strings.HasPrefix(col, "part_"):
			if x < 0 || x > 100 {
				t.Fatalf("%s.%s = %d", table, col, x)
			}
		case strings.HasPrefix(col, "nb_"):
			if x < 0 {
				t.Fatalf("%s.%s = %d", table, col, x)
			}
		}
	}
}
