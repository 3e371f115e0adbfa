package importer

import (
	"fmt"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Precedence of establishment figures when two sources hold the same key:
// the portal export carries the later DEPP revision (SOURCES.md §A2).
const (
	precDEPPEtab   = 10
	precPortalEtab = 20
)

var tIJEtab = &Target{Table: "ij_etab",
	Key: []string{"uai", "millesime", "voie", "sous_population", "source"},
	Cols: []string{"uai", "millesime", "voie", "sous_population", "source", "precedence", "millesime_label", "region",
		"taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_6_mois_attendu", "valeur_ajoutee",
		"part_poursuite_etudes", "part_emploi_6_mois", "part_autres_situations",
		"taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois", "taux_contrats_interrompus"}}

// etabCols are the column indexes of one establishment layout (-1 = absent).
type etabCols struct {
	souspop, poursuite, emploi6, attendu, va, partPoursuite, partEmploi, partAutres,
	emploi12, emploi18, emploi24, interrompus int
}

func noCols() etabCols {
	return etabCols{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
}

// sousPopulation normalises the "Dont apprentis en EPLE" column.
func sousPopulation(s string) (string, bool) {
	switch s { // the spellings of the real files, without folding
	case "ensemble", "":
		return "ensemble", true
	case "dont apprentis":
		return "apprentis", true
	case "dont élèves en voie pro sco":
		return "voie_pro_sco", true
	}
	switch model.Fold(strings.TrimSpace(s)) {
	case "", "ensemble":
		return "ensemble", true
	case "dont apprentis":
		return "apprentis", true
	case "dont eleves en voie pro sco":
		return "voie_pro_sco", true
	}
	return "", false
}

// bindDEPPEtab builds the row parser of a DEPP per-establishment file; the
// millésime comes from the file name.
func bindDEPPEtab(name, voie string, c etabCols) (rowFunc, error) {
	m, ok := millesimeFromName(name)
	if !ok {
		return nil, fmt.Errorf("millésime introuvable dans le nom du fichier %q (attendu : …_AAAA_BBBB.csv)", name)
	}
	ms := m.String()
	label := "cumul " + strings.Replace(ms, "_", "-", 1)
	return func(r *row) {
		uai := r.uai(0)
		region := r.regionLabel(2)
		sp := "ensemble"
		if c.souspop >= 0 {
			var ok bool
			if sp, ok = sousPopulation(r.str(c.souspop)); !ok {
				r.reject(c.souspop, "sous-population inconnue (ensemble, dont apprentis, dont élèves en voie pro sco)")
			}
		}
		r.millesime(ms)
		emitEtab(r, uai, ms, voie, sp, "depp_"+voie, precDEPPEtab, label, region, c)
		ijEtabIdentity(r, uai, r.str(1), region)
	}, nil
}

func emitEtab(r *row, uai, mill, voie, sp, source string, prec int, label, region string, c etabCols) {
	r.emit(tIJEtab, uai, mill, voie, sp, source, int32(prec), label, nilIfEmpty(region),
		iv(r.rate(c.poursuite)), iv(r.rate(c.emploi6)), iv(r.rate(c.attendu)), iv(r.signed(c.va)),
		iv(r.rate(c.partPoursuite)), iv(r.rate(c.partEmploi)), iv(r.rate(c.partAutres)),
		iv(r.rate(c.emploi12)), iv(r.rate(c.emploi18)), iv(r.rate(c.emploi24)), iv(r.rate(c.interrompus)))
}

func isDEPPEtab(h header) bool {
	return len(h.norm) >= 8 && h.norm[0] == normName("n°UAI de l'établissement") && h.norm[2] == "region"
}

// legacyKind tells lycée pro from CFA in the legacy layouts, which carry
// no telling column: from the file name.
func legacyVoie(name string) (string, error) {
	switch {
	case contains(name, "cfa", "apprenti"):
		return model.VoieApprentissage, nil
	case contains(name, "lycee_pro", "lycee-pro", "-pro", "_pro"):
		return model.VoieScolaire, nil
	}
	return "", fmt.Errorf("fichier DEPP ancien format : le nom %q ne dit pas s'il s'agit de lycées professionnels (…lycee_pro…) ou de CFA (…cfa…) ; forcez avec --source", name)
}

var fmtDEPPLyceePro = &Format{
	Kind: "depp_ij_lycee_pro", Producer: "DEPP-DARES", Label: "InserJeunes par lycée professionnel (DEPP)", Order: 20,
	Targets: []*Target{tIJEtab, tEtab}, Parts: []string{"ij"},
	Match: func(h header, _ string) bool {
		return isDEPPEtab(h) && h.has("Dont apprentis en EPLE", "Part en poursuite d'études")
	},
	Bind: func(h header, name string) (rowFunc, error) {
		x, err := h.cols("Dont apprentis en EPLE", "Taux de poursuite d'études", "Taux", "Taux attendu", "Valeur ajoutée",
			"Part en poursuite d'études", "Part en emploi 6 mois après la sortie", "Part des autres situations")
		if err != nil {
			return nil, err
		}
		c := noCols()
		c.souspop, c.poursuite, c.emploi6, c.attendu, c.va, c.partPoursuite, c.partEmploi, c.partAutres =
			x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
		return bindDEPPEtab(name, model.VoieScolaire, c)
	},
}

var fmtDEPPCFA = &Format{
	Kind: "depp_ij_cfa", Producer: "DEPP-DARES", Label: "InserJeunes par CFA (DEPP)", Order: 20,
	Targets: []*Target{tIJEtab, tEtab}, Parts: []string{"ij"},
	Match: func(h header, _ string) bool {
		return isDEPPEtab(h) && !h.has("Dont apprentis en EPLE") && h.has("Part en poursuite d'études")
	},
	Bind: func(h header, name string) (rowFunc, error) {
		x, err := h.cols("Taux de poursuite d'études", "Taux", "Taux attendu", "Valeur ajoutée",
			"Part en poursuite d'études", "Part en emploi 6 mois après la sortie", "Part des autres situations")
		if err != nil {
			return nil, err
		}
		c := noCols()
		c.poursuite, c.emploi6, c.attendu, c.va, c.partPoursuite, c.partEmploi, c.partAutres =
			x[0], x[1], x[2], x[3], x[4], x[5], x[6]
		return bindDEPPEtab(name, model.VoieApprentissage, c)
	},
}

// Legacy 2018_2019 layout (11 columns, labels lost when the two-row xlsx
// header was flattened): positional.
var fmtDEPPLegacy11 = &Format{
	Kind: "depp_ij_etab_2018", Producer: "DEPP-DARES", Label: "InserJeunes par établissement (DEPP, ancien format 11 colonnes)", Order: 20,
	Targets: []*Target{tIJEtab, tEtab}, Parts: []string{"ij"},
	Match: func(h header, _ string) bool {
		return isDEPPEtab(h) && len(h.norm) == 11 && h.norm[3] == "" && h.norm[4] == "" &&
			h.norm[5] == "taux" && h.norm[6] == "taux attendu" && h.norm[7] == "valeur ajoutee"
	},
	Bind: func(h header, name string) (rowFunc, error) {
		voie, err := legacyVoie(name)
		if err != nil {
			return nil, err
		}
		c := noCols()
		c.poursuite, c.emploi6, c.attendu, c.va, c.emploi12, c.emploi18, c.emploi24 = 4, 5, 6, 7, 8, 9, 10
		if voie == model.VoieScolaire {
			c.souspop = 3
		} else {
			c.interrompus = 3
		}
		return bindDEPPEtab(name, voie, c)
	},
}

// Legacy 2019_2020 layout (9 columns).
var fmtDEPPLegacy9 = &Format{
	Kind: "depp_ij_etab_2019", Producer: "DEPP-DARES", Label: "InserJeunes par établissement (DEPP, ancien format 9 colonnes)", Order: 20,
	Targets: []*Target{tIJEtab, tEtab}, Parts: []string{"ij"},
	Match: func(h header, _ string) bool {
		return isDEPPEtab(h) && len(h.norm) == 9 && h.norm[4] == "" &&
			h.norm[5] == "taux" && h.norm[6] == "taux attendu" && h.norm[7] == "valeur ajoutee"
	},
	Bind: func(h header, name string) (rowFunc, error) {
		voie := model.VoieApprentissage
		if h.norm[3] == normName("Dont apprentis en EPLE") {
			voie = model.VoieScolaire
		} else if v, err := legacyVoie(name); err == nil {
			voie = v
		}
		c := noCols()
		c.poursuite, c.emploi6, c.attendu, c.va, c.emploi12 = 4, 5, 6, 7, 8
		if voie == model.VoieScolaire {
			c.souspop = 3
		}
		return bindDEPPEtab(name, voie, c)
	},
}

// Portal export fr-en-inserjeunes-cfa, label header or technical names.
var portalCFACols = [][]string{
	{"Année", "annee"},
	{"UAI", "uai"},
	{"Libellé", "libelle"},
	{"Région", "region"},
	{"DEVENIR Part poursuite études", "part_en_poursuite_d_etudes"},
	{"DEVENIR Part en emploi 6 mois", "part_en_emploi_6_mois_apres_la_sortie"},
	{"DEVENIR Part autre situation 6 mois", "part_des_autres_situations"},
	{"Part contrats apprentissage interrompus", "taux_contrats_interrompus"},
	{"Taux poursuite études", "taux_poursuite_etudes"},
	{"Taux emploi 6 mois", "taux_emploi_6_mois"},
	{"Taux emploi 6 mois attendu", "taux_emploi_6_mois_attendu"},
	{"VA emploi 6 mois", "va_emploi_6_mois"},
	{"Taux emploi 12 mois", "taux_emploi_12_mois"},
	{"Taux emploi 18 mois", "taux_emploi_18_mois"},
	{"Taux emploi 24 mois", "taux_emploi_24_mois"},
}

// colsAlt resolves each column by any of its names.
func (h header) colsAlt(alts [][]string) ([]int, error) {
	out := make([]int, len(alts))
	var missing []string
	for i, names := range alts {
		out[i] = -1
		for _, n := range names {
			if j := h.col(n); j >= 0 {
				out[i] = j
				break
			}
		}
		if out[i] < 0 {
			missing = append(missing, fmt.Sprintf("%q", names[0]))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("colonne(s) manquante(s) : %s", strings.Join(missing, ", "))
	}
	return out, nil
}

var fmtPortalCFA = &Format{
	Kind: "portail_ij_cfa", Producer: "DEPP-DARES (data.education.gouv.fr)", Label: "InserJeunes apprentissage par CFA (portail open data)", Order: 21,
	Targets: []*Target{tIJEtab, tEtab}, Parts: []string{"ij"},
	Match: func(h header, _ string) bool {
		return (h.has("Année", "UAI", "Part contrats apprentissage interrompus") ||
			h.has("annee", "uai", "taux_contrats_interrompus", "va_emploi_6_mois")) && !h.has("code_formation_mefstat11")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		x, err := h.colsAlt(portalCFACols)
		if err != nil {
			return nil, err
		}
		c := etabCols{souspop: -1, partPoursuite: x[4], partEmploi: x[5], partAutres: x[6], interrompus: x[7],
			poursuite: x[8], emploi6: x[9], attendu: x[10], va: x[11], emploi12: x[12], emploi18: x[13], emploi24: x[14]}
		return func(r *row) {
			m, _ := r.parseMillesime(x[0])
			uai := r.uai(x[1])
			region := r.regionLabel(x[3])
			emitEtab(r, uai, m.String(), model.VoieApprentissage, "ensemble", "portail_cfa", precPortalEtab,
				r.str(x[0]), region, c)
			ijEtabIdentity(r, uai, r.str(x[2]), region)
		}, nil
	},
}

// InserJeunes API flattened by Orion: région × formation, with counts.
var tRegionFormation = &Target{Table: "ij_region_formation", Narrow: "millesime", Key: []string{"millesime", "region", "voie", "code"},
	Cols: []string{"millesime", "region", "voie", "code", "cfd", "mefstat11",
		"nb_annee_term", "nb_sortant", "nb_poursuite_etudes", "nb_en_emploi_6_mois", "nb_en_emploi_12_mois",
		"nb_en_emploi_18_mois", "nb_en_emploi_24_mois",
		"taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois"}}

// apiCols are the count and rate columns of the DEPP API layouts.
var apiCols = []string{"millesime", "code_region_ij", "code_region", "voie", "cfd", "mefstat11",
	"nb_annee_term", "nb_sortant", "nb_poursuite_etudes", "nb_en_emploi_6_mois", "nb_en_emploi_12_mois",
	"nb_en_emploi_18_mois", "nb_en_emploi_24_mois",
	"taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois"}

// apiRow is one parsed row of a DEPP API layout.
type apiRow struct {
	mill, region, voie, code, cfd, mefstat11 string
	counts                                   [7]*int // annee_term, sortant, poursuite, emploi 6/12/18/24
	rates                                    [5]*int // poursuite, emploi 6/12/18/24
}

func parseAPIRow(r *row, c []int) apiRow {
	var a apiRow
	m, _ := r.parseMillesime(c[0])
	a.mill = m.String()
	a.region = r.str(c[2])
	reg, ok := model.RegionByCode(a.region)
	if !ok {
		r.reject(c[2], "code région INSEE inconnu")
	} else if ij := r.str(c[1]); ij != "" && reg.IJ != ij {
		r.reject(c[1], fmt.Sprintf("code région InserJeunes incohérent avec la région INSEE %s (attendu %s)", reg.Code, reg.IJ))
	}
	a.voie = r.str(c[3])
	switch a.voie {
	case model.VoieScolaire:
		a.mefstat11 = r.mefstat11(c[5])
		a.code = a.mefstat11
		if r.str(c[4]) != "" {
			a.cfd = r.cfd(c[4])
		}
	case model.VoieApprentissage:
		a.cfd = r.cfd(c[4])
		a.code = a.cfd
		if r.str(c[5]) != "" {
			a.mefstat11 = r.mefstat11(c[5])
		}
	default:
		r.reject(c[3], "voie inconnue (scolaire ou apprentissage attendu)")
	}
	for i := range a.counts {
		a.counts[i] = r.count(c[6+i])
	}
	for i := range a.rates {
		a.rates[i] = r.rate(c[13+i])
	}
	// Count invariants, where every term is present.
	term, sort, pours := a.counts[0], a.counts[1], a.counts[2]
	if term != nil && sort != nil && pours != nil && *sort+*pours != *term {
		r.reject(c[6], fmt.Sprintf("incohérence : nb_sortant (%d) + nb_poursuite_etudes (%d) ≠ nb_annee_term (%d)", *sort, *pours, *term))
	}
	for i := 3; i < 7; i++ {
		if sort != nil && a.counts[i] != nil && *a.counts[i] > *sort {
			r.reject(c[6+i], fmt.Sprintf("incohérence : plus d'élèves en emploi (%d) que de sortants (%d)", *a.counts[i], *sort))
		}
	}
	return a
}

var fmtRegionFormation = &Format{
	Kind: "ij_region_formation", Producer: "DEPP (API InserJeunes, via Orion)", Label: "InserJeunes par région et formation", Order: 22,
	Targets: []*Target{tRegionFormation},
	Match: func(h header, _ string) bool {
		return h.has("code_region_ij", "nb_annee_term", "voie") && !h.has("uai")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols(apiCols...)
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			a := parseAPIRow(r, c)
			r.emit(tRegionFormation, a.mill, a.region, a.voie, a.code, nilIfEmpty(a.cfd), nilIfEmpty(a.mefstat11),
				iv(a.counts[0]), iv(a.counts[1]), iv(a.counts[2]), iv(a.counts[3]), iv(a.counts[4]), iv(a.counts[5]), iv(a.counts[6]),
				iv(a.rates[0]), iv(a.rates[1]), iv(a.rates[2]), iv(a.rates[3]), iv(a.rates[4]))
		}, nil
	},
}
