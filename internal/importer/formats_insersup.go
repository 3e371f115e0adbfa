package importer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// precInserSup is the precedence of the establishment identity InserSup
// records carry (the university's name).
const precInserSup = 10

var tInserSup = &Target{Table: "insersup", Narrow: "uai",
	Key: []string{"uai", "sise", "millesime", "obtention_diplome", "genre", "nationalite", "date_inser"},
	Cols: []string{"uai", "sise", "millesime", "obtention_diplome", "genre", "nationalite", "date_inser",
		"millesime_label", "date_jeu", "etablissement_nom", "id_paysage", "region", "academie",
		"type_diplome", "type_diplome_long", "libelle_diplome", "dom", "dom_lib", "discipli", "discipli_lib", "sectdis", "sectdis_lib",
		"nb_poursuivants", "nb_sortants", "nb_sortants_en_emploi_sal_fr", "tx_sortants_en_emploi_sal_fr",
		"nb_sortants_en_emploi_stable", "tx_sortants_en_emploi_stable", "tx_sortants_en_emploi_non_sal",
		"tx_sortants_en_emploi", "tx_sortants_en_emploi_etranger", "salaire_q1", "salaire_q2", "salaire_q3",
		"flag", "exception"}}

// insersupRequired are the columns without which a record means nothing.
var insersupRequired = []string{"etablissement", "diplome", "promo", "obtention_diplome", "genre", "nationalite",
	"nb_poursuivants", "nb_sortants", "nb_sortants_en_emploi_sal_fr", "tx_sortants_en_emploi_sal_fr"}

// insersupOptional are read when present (-1 otherwise).
var insersupOptional = []string{"date_inser", "date_inser_long", "date_jeu", "uo_lib", "id_paysage", "reg_id", "aca_id",
	"type_diplome", "type_diplome_long", "libelle_diplome", "dom", "dom_lib", "discipli", "discipli_lib", "sectdis", "sectdis_lib",
	"nb_sortants_en_emploi_stable", "tx_sortants_en_emploi_stable", "tx_sortants_en_emploi_non_sal",
	"tx_sortants_en_emploi", "tx_sortants_en_emploi_etranger", "salaire_q1", "salaire_q2", "salaire_q3",
	"flag", "exception"}

// fmtInserSup reads InserSup records (fr-esr-insersup), as JSON records of
// the ODS API (numbers as strings, promo a list) or as their ';' CSV twin
// (promo "2020,2021"). Headline and breakdown rows are all kept.
var fmtInserSup = &Format{
	Kind: "insersup", Producer: "MESR-SIES (InserSup)", Label: "InserSup : insertion des diplômés de l'enseignement supérieur", Order: 25,
	Targets: []*Target{tInserSup, tEtab}, Parts: []string{"insersup"},
	Match: func(h header, _ string) bool {
		return h.has("etablissement", "diplome", "obtention_diplome", "nb_sortants", "promo")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols(insersupRequired...)
		if err != nil {
			return nil, err
		}
		o := map[string]int{}
		for _, n := range insersupOptional {
			o[n] = h.col(n)
		}
		if o["date_inser"] < 0 && o["date_inser_long"] < 0 {
			return nil, fmt.Errorf("colonne(s) manquante(s) : \"date_inser\"")
		}
		return func(r *row) {
			uai := r.uai(c[0])
			sise, err := model.NormalizeSISE(r.str(c[1]))
			if err != nil {
				r.reject(c[1], err.Error())
			}
			m, ok := r.parseMillesime(c[2])
			mill := ""
			if ok {
				mill = m.String()
			}
			obt, genre, nat := strings.ToLower(r.str(c[3])), strings.ToLower(r.str(c[4])), strings.ToLower(r.str(c[5]))
			for i, v := range []string{obt, genre, nat} {
				if v == "" {
					r.reject(c[3+i], "valeur vide")
				}
			}
			h := insersupHorizon(r, o["date_inser"], o["date_inser_long"])
			pours, sort := r.count(c[6]), r.count(c[7])
			emploi, txEmploi := r.count(c[8]), r.decimal(c[9], 0, 100)
			stable := r.count(o["nb_sortants_en_emploi_stable"])
			if emploi != nil && sort != nil && *emploi > *sort {
				r.reject(c[8], fmt.Sprintf("incohérence : plus de diplômés en emploi (%d) que de sortants (%d)", *emploi, *sort))
			}
			if stable != nil && emploi != nil && *stable > *emploi {
				r.reject(o["nb_sortants_en_emploi_stable"], fmt.Sprintf("incohérence : plus d'emplois stables (%d) que d'emplois salariés (%d)", *stable, *emploi))
			}
			region := ""
			if s := strings.TrimPrefix(strings.ToUpper(r.str(o["reg_id"])), "R"); s != "" {
				if reg, ok := model.RegionByCode(s); ok {
					region = reg.Code
				} else {
					r.reject(o["reg_id"], "code région inconnu (R suivi du code INSEE attendu, ex. R93)")
				}
			}
			aca := strings.TrimPrefix(strings.ToUpper(r.str(o["aca_id"])), "A")
			salary := func(n string) any { return iv(r.bounded(o[n], 0, 100_000, "salaire")) }
			r.emit(tInserSup, uai, sise, mill, obt, genre, nat, int32(h),
				insersupPromoLabel(m), r.opt(o["date_jeu"]), r.opt(o["uo_lib"]), r.opt(o["id_paysage"]), nilIfEmpty(region), nilIfEmpty(aca),
				r.opt(o["type_diplome"]), r.opt(o["type_diplome_long"]), r.opt(o["libelle_diplome"]), r.opt(o["dom"]), r.opt(o["dom_lib"]),
				r.opt(o["discipli"]), r.opt(o["discipli_lib"]), r.opt(o["sectdis"]), r.opt(o["sectdis_lib"]),
				iv(pours), iv(sort), iv(emploi), fv(txEmploi),
				iv(stable), fv(r.decimal(o["tx_sortants_en_emploi_stable"], 0, 100)), fv(r.decimal(o["tx_sortants_en_emploi_non_sal"], 0, 100)),
				fv(r.decimal(o["tx_sortants_en_emploi"], 0, 100)), fv(r.decimal(o["tx_sortants_en_emploi_etranger"], 0, 100)),
				salary("salaire_q1"), salary("salaire_q2"), salary("salaire_q3"),
				r.opt(o["flag"]), r.opt(o["exception"]))
			r.emit(tEtab, uai, "insersup", int32(precInserSup), r.opt(o["uo_lib"]), nil, nil, nil, nil, nil,
				nilIfEmpty(model.DepartementOfUAI(uai)), nilIfEmpty(aca), nilIfEmpty(region))
		}, nil
	},
}

// insersupHorizon reads date_inser (6…30) or, failing it, the number that
// starts date_inser_long ("12 mois après le diplôme").
func insersupHorizon(r *row, i, long int) int {
	s, col := r.str(i), i
	if s == "" {
		s, col = r.str(long), long
		if f := strings.Fields(s); len(f) > 0 {
			s = f[0]
		}
	}
	v, ok := parseNumber(s)
	if ok && model.SupHorizonIndex(v) >= 0 {
		return v
	}
	r.reject(col, "horizon d'insertion inconnu (6, 12, 18, 24 ou 30 mois attendu)")
	return 0
}

// insersupPromoLabel is the French label of the promotion(s).
func insersupPromoLabel(m model.Millesime) string {
	if m.IsZero() {
		return ""
	}
	if m.Start == m.End {
		return strconv.Itoa(m.Start)
	}
	return fmt.Sprintf("%d,%d", m.Start, m.End)
}
