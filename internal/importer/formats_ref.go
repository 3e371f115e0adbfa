package importer

import (
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Source precedence of establishment identities (higher wins).
const (
	precAnnuaire = 30
	precACCE     = 20
	precIJ       = 10
)

var (
	tRegions      = &Target{Table: "regions", Key: []string{"code"}, Cols: []string{"code", "nom"}}
	tDepartements = &Target{Table: "departements", Key: []string{"code"},
		Cols: []string{"code", "nom", "academie_code", "academie_nom", "region_code", "region_nom"}}
	tEtab = &Target{Table: "etablissement_sources", Key: []string{"uai", "source"}, DupOK: true, Part: "source",
		Cols: []string{"uai", "source", "precedence", "nom", "type", "statut", "adresse", "code_postal",
			"commune", "departement", "academie", "region"}}
)

var fmtRegions = &Format{
	Kind: "ref_regions", Producer: "BCN (via Orion)", Label: "Table des régions", Order: 1,
	Targets: []*Target{tRegions},
	Match: func(h header, _ string) bool {
		return len(h.norm) == 2 && h.has("libelleRegion", "codeRegion")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("codeRegion", "libelleRegion")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code, nom := r.str(c[0]), r.str(c[1])
			if len(code) != 2 {
				r.reject(c[0], "code région sur 2 caractères attendu")
			}
			if nom == "" {
				r.reject(c[1], "libellé vide")
			}
			r.emit(tRegions, code, nom)
		}, nil
	},
}

var fmtDepartements = &Format{
	Kind: "ref_departements", Producer: "BCN (via Orion)", Label: "Table départements – académies – régions", Order: 2,
	Targets: []*Target{tDepartements},
	Match: func(h header, _ string) bool {
		return h.has("codeDepartement", "codeAcademie", "codeRegion", "libelleAcademie")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("codeDepartement", "libelleDepartement", "codeAcademie", "libelleAcademie", "codeRegion", "libelleRegion")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			dep := r.str(c[0])
			if dep == "" {
				return // académie rows without a département (e.g. former Caen, Rouen)
			}
			if len(dep) != 3 {
				r.reject(c[0], "code département sur 3 caractères attendu (001, 02A, 971)")
			}
			r.emit(tDepartements, dep, r.str(c[1]), r.str(c[2]), r.str(c[3]), r.str(c[4]), r.str(c[5]))
		}, nil
	},
}

// Annuaire de l'éducation: 2023 and 2026 headers, matched by name.
var fmtAnnuaire = &Format{
	Kind: "annuaire_education", Producer: "MENJ-DEPP", Label: "Annuaire de l'éducation", Order: 5, Plain: true,
	Targets: []*Target{tEtab}, Parts: []string{"annuaire"},
	Match: func(h header, _ string) bool {
		return h.has("Identifiant_de_l_etablissement", "Nom_etablissement")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("Identifiant_de_l_etablissement", "Nom_etablissement", "Type_etablissement",
			"Statut_public_prive", "Adresse_1", "Nom_commune", "Code_departement", "Code_academie", "Code_region")
		if err != nil {
			return nil, err
		}
		cp := h.col("Code_postal")
		if cp < 0 {
			cp = h.col("Code postal")
		}
		return func(r *row) {
			u := r.uai(c[0])
			r.emit(tEtab, u, "annuaire", int32(precAnnuaire), r.opt(c[1]), r.opt(c[2]), r.opt(c[3]), r.opt(c[4]),
				r.opt(cp), r.opt(c[5]), r.opt(c[6]), r.opt(c[7]), r.opt(c[8]))
		}, nil
	},
}

// ACCE extraction (ACCE_UAI).
var fmtACCE = &Format{
	Kind: "acce_uai", Producer: "MENJ (ACCE)", Label: "Extraction ACCE des établissements", Order: 4, Plain: true,
	Targets: []*Target{tEtab}, Parts: []string{"acce"},
	Match: func(h header, _ string) bool {
		return h.has("numero_uai", "appellation_officielle")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("numero_uai", "appellation_officielle", "denomination_principale", "nature_uai_libe",
			"secteur_public_prive_libe", "adresse_uai", "code_postal_uai", "commune_libe", "departement_insee_3", "academie")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			u := r.uai(c[0])
			nom := r.opt(c[1])
			if nom == nil {
				nom = r.opt(c[2])
			}
			dep := r.str(c[8])
			r.emit(tEtab, u, "acce", int32(precACCE), nom, r.opt(c[3]), r.opt(c[4]), r.opt(c[5]), r.opt(c[6]),
				r.opt(c[7]), nilIfEmpty(dep), r.opt(c[9]), nil)
		}, nil
	},
}

// ijEtabIdentity emits the establishment identity an InserJeunes file
// carries (name, région) at the lowest precedence.
func ijEtabIdentity(r *row, uai, nom, region string) {
	r.emit(tEtab, uai, "ij", int32(precIJ), nilIfEmpty(nom), nil, nil, nil, nil, nil,
		nilIfEmpty(model.DepartementOfUAI(uai)), nil, nilIfEmpty(region))
}

// millesimeFromName finds AAAA_BBBB (or AAAA-BBBB) in a file name.
func millesimeFromName(name string) (model.Millesime, bool) {
	for i := 0; i+9 <= len(name); i++ {
		s := name[i : i+9]
		if (s[4] == '_' || s[4] == '-') && isDigits(s[:4]) && isDigits(s[5:]) &&
			(i == 0 || !isDigit(name[i-1])) && (i+9 == len(name) || !isDigit(name[i+9])) {
			m, err := model.ParseMillesime(s)
			if err == nil && m.Start != m.End {
				return m, true
			}
		}
	}
	return model.Millesime{}, false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func contains(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
