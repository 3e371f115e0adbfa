package importer

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// INSEE taux de chômage localisés (SOURCES.md §E6), as the Orion team
// exports them: per région (INSEE code) and per département, one rate per
// year with a decimal comma. Both are referentials of the labour market.

const inseeLicence = "Licence Ouverte 2.0 (Etalab)"

var (
	tChomageRegion = &Target{Table: "insee_chomage_region", Key: []string{"region", "annee"},
		Cols: []string{"region", "annee", "taux"}}
	tChomageDepartement = &Target{Table: "insee_chomage_departement", Key: []string{"departement", "annee"},
		Cols: []string{"departement", "annee", "libelle", "taux"}}
)

var fmtChomageRegion = &Format{
	Kind: "insee_chomage_regional", Producer: "INSEE", Licence: inseeLicence,
	Label: "Taux de chômage localisés par région (INSEE)", Order: 3,
	Targets: []*Target{tChomageRegion},
	Match: func(h header, _ string) bool {
		return len(h.norm) == 3 && h.has("codeRegion", "rentreeScolaire", "tauxChomage")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("codeRegion", "rentreeScolaire", "tauxChomage")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.str(c[0])
			if _, ok := model.RegionByCode(code); !ok {
				r.reject(c[0], "code région INSEE inconnu (deux chiffres attendus, ex. 53 pour la Bretagne, 11 pour l'Île-de-France)")
			}
			year := r.year(c[1])
			taux := r.tauxChomage(c[2])
			if r.bad() {
				return
			}
			r.millesime(strconv.Itoa(int(year)))
			r.emit(tChomageRegion, code, year, taux)
		}, nil
	},
}

var fmtChomageDepartement = &Format{
	Kind: "insee_chomage_departemental", Producer: "INSEE", Licence: inseeLicence,
	Label: "Taux de chômage localisés par département (INSEE)", Order: 3,
	Targets: []*Target{tChomageDepartement},
	Match: func(h header, _ string) bool {
		return h.has("codeDepartement", "rentreeScolaire", "tauxChomage")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("codeDepartement", "libelleDepartement", "rentreeScolaire", "tauxChomage")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.str(c[0])
			if !model.ValidDepartement(code) {
				r.reject(c[0], "code département inconnu (3 caractères attendus : 001 à 095, 02A, 02B, 971 à 976)")
			}
			lib := r.str(c[1])
			if lib == "" {
				r.reject(c[1], "libellé du département vide")
			}
			year := r.year(c[2])
			taux := r.tauxChomage(c[3])
			if r.bad() {
				return
			}
			r.millesime(strconv.Itoa(int(year)))
			r.emit(tChomageDepartement, code, year, lib, taux)
		}, nil
	},
}

// year reads a year on 4 digits (2000–2099).
func (r *row) year(i int) int32 {
	s := r.str(i)
	if len(s) != 4 || !isDigits(s) || !strings.HasPrefix(s, "20") {
		r.reject(i, "année sur 4 chiffres attendue (ex. 2023)")
		return 0
	}
	y, _ := strconv.Atoi(s)
	return int32(y)
}

// tauxChomage reads an unemployment rate as INSEE writes it: a number
// from 0 to 100 with at most one decimal, comma or point ("6,1", "8",
// "10.7"). An empty field is refused too: INSEE publishes every rate.
func (r *row) tauxChomage(i int) pgtype.Numeric {
	s := r.str(i)
	bad := func(why string) pgtype.Numeric {
		r.reject(i, "taux de chômage : "+why)
		return pgtype.Numeric{}
	}
	if s == "" {
		return bad("valeur manquante (un nombre de 0 à 100 est attendu)")
	}
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 3 || !isDigits(whole) || hasFrac && (len(frac) != 1 || !isDigits(frac)) {
		return bad("nombre attendu, avec au plus une décimale (ex. 6,1)")
	}
	tenths, _ := strconv.Atoi(whole + frac)
	if !hasFrac {
		tenths *= 10
	}
	if tenths > 1000 {
		return bad(fmt.Sprintf("%s %% hors bornes (0 à 100 attendu)", s))
	}
	return pgtype.Numeric{Int: big.NewInt(int64(tenths)), Exp: -1, Valid: true}
}
