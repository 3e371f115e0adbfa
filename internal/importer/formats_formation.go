package importer

import (
	"fmt"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Precedence of establishment × formation figures when two sources hold the
// same key. The DEPP API layout wins: it carries the counts the secret
// statistique rests on, and its rates equal the portal's wherever both
// publish (the portal computes its parts from the same counts).
const (
	precPortalFormation = 10
	precAPIFormation    = 20
	// precIJFormation is the establishment identity carried by the
	// formation-level portal export (below the per-establishment files).
	precIJFormation = 5
)

// Source names of ij_uai_formation.
const (
	SourceAPIFormation    = "depp_api_uai"
	SourcePortalFormation = "portail_formation_fine"
)

var tUAIFormation = &Target{Table: "ij_uai_formation", Narrow: "millesime", Part: "source",
	Key: []string{"uai", "millesime", "voie", "code", "source"},
	Cols: []string{"uai", "millesime", "voie", "code", "source", "precedence", "millesime_label", "region", "cfd", "mefstat11",
		"nb_annee_term", "nb_sortant", "nb_poursuite_etudes", "nb_en_emploi_6_mois", "nb_en_emploi_12_mois",
		"nb_en_emploi_18_mois", "nb_en_emploi_24_mois",
		"taux_poursuite_etudes", "taux_emploi_6_mois", "taux_emploi_12_mois", "taux_emploi_18_mois", "taux_emploi_24_mois",
		"part_poursuite_etudes", "part_emploi_6_mois", "part_autres_situations"}}

// millesimeLabel is the portal spelling of a millésime ("cumul 2019-2020").
func millesimeLabel(m model.Millesime) string {
	if m.Start == m.End {
		return m.String()
	}
	return fmt.Sprintf("cumul %d-%d", m.Start, m.End)
}

// fmtUAIFormation reads the DEPP API layout flattened per establishment ×
// formation (as ij_uai_formation_<millésime>.csv): the regional layout with
// a uai column, counts and rates.
var fmtUAIFormation = &Format{
	Kind: "ij_uai_formation", Producer: "DEPP (API InserJeunes, via Orion)", Label: "InserJeunes par établissement et formation (effectifs et taux)", Order: 23,
	Targets: []*Target{tUAIFormation}, Parts: []string{SourceAPIFormation},
	Match: func(h header, _ string) bool {
		return h.has("code_region_ij", "nb_annee_term", "voie", "uai")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols(apiCols...)
		if err != nil {
			return nil, err
		}
		u, err := h.cols("uai")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			uai := r.uai(u[0])
			a := parseAPIRow(r, c)
			m, _ := model.ParseMillesime(a.mill)
			r.emit(tUAIFormation, uai, a.mill, a.voie, a.code, SourceAPIFormation, int32(precAPIFormation), millesimeLabel(m),
				nilIfEmpty(a.region), nilIfEmpty(a.cfd), nilIfEmpty(a.mefstat11),
				iv(a.counts[0]), iv(a.counts[1]), iv(a.counts[2]), iv(a.counts[3]), iv(a.counts[4]), iv(a.counts[5]), iv(a.counts[6]),
				iv(a.rates[0]), iv(a.rates[1]), iv(a.rates[2]), iv(a.rates[3]), iv(a.rates[4]),
				nil, nil, nil)
		}, nil
	},
}

// portalFormationCols are the columns of fr-en-inserjeunes-lycee_pro-formation-fine:
// technical names (API, synthetic file) and the export's labels (FORMATS.md §4.3a).
var portalFormationCols = [][]string{
	{"annee", "Année"},
	{"uai", "UAI"},
	{"libelle", "Libellé"},
	{"region", "Région"},
	{"code_formation_mefstat11", "Code formation mefstat11"},
	{"part_en_poursuite_d_etudes", "DEVENIR Part poursuite études"},
	{"part_en_emploi_6_mois_apres_la_sortie", "DEVENIR Part en emploi 6 mois"},
	{"part_des_autres_situations", "DEVENIR Part autre situation 6 mois"},
	{"taux_poursuite_etudes", "Taux poursuite études"},
	{"taux_emploi_6_mois", "Taux emploi 6 mois"},
	{"taux_emploi_12_mois", "Taux emploi 12 mois"},
	{"taux_emploi_18_mois", "Taux emploi 18 mois"},
	{"taux_emploi_24_mois", "Taux emploi 24 mois"},
}

// fmtPortalFormation reads the portal export per lycée × formation (voie
// scolaire, rates and parts only, every cumul in one file).
var fmtPortalFormation = &Format{
	Kind: "portail_ij_lycee_pro_formation", Producer: "DEPP-DARES (data.education.gouv.fr)",
	Label: "InserJeunes voie scolaire par lycée et formation (portail open data, taux seulement)", Order: 24,
	Targets: []*Target{tUAIFormation, tEtab}, Parts: []string{SourcePortalFormation, "ij_formation"},
	Match: func(h header, _ string) bool {
		return h.has("annee", "uai", "code_formation_mefstat11") || h.has("Année", "UAI", "Code formation mefstat11")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		x, err := h.colsAlt(portalFormationCols)
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			m, ok := r.parseMillesime(x[0])
			uai := r.uai(x[1])
			region := r.regionLabel(x[3])
			mef := r.mefstat11(x[4])
			mill := ""
			if ok {
				mill = m.String()
			}
			parts := [3]*int{r.rate(x[5]), r.rate(x[6]), r.rate(x[7])}
			if parts[0] != nil && parts[1] != nil && parts[2] != nil {
				if s := *parts[0] + *parts[1] + *parts[2]; s < 99 || s > 101 {
					r.reject(x[7], fmt.Sprintf("incohérence : les trois parts font %d et non 100", s))
				}
			}
			r.emit(tUAIFormation, uai, mill, model.VoieScolaire, mef, SourcePortalFormation, int32(precPortalFormation),
				strings.TrimSpace(r.str(x[0])), nilIfEmpty(region), nil, mef,
				nil, nil, nil, nil, nil, nil, nil,
				iv(r.rate(x[8])), iv(r.rate(x[9])), iv(r.rate(x[10])), iv(r.rate(x[11])), iv(r.rate(x[12])),
				iv(parts[0]), iv(parts[1]), iv(parts[2]))
			r.emit(tEtab, uai, "ij_formation", int32(precIJFormation), nilIfEmpty(r.str(x[2])), nil, nil, nil, nil, nil,
				nilIfEmpty(model.DepartementOfUAI(uai)), nil, nilIfEmpty(region))
		}, nil
	},
}
