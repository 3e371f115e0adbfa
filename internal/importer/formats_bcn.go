package importer

import (
	"fmt"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

var (
	tFormations = &Target{Table: "bcn_formations", Key: []string{"cfd"},
		Cols: []string{"cfd", "niveau", "groupe_specialite", "libelle_court", "libelle_stat_33", "libelle_long",
			"date_ouverture", "date_fermeture"}}
	tLinks      = &Target{Table: "bcn_formation_links", Key: []string{"ancien", "nouveau"}, DupOK: true, Cols: []string{"ancien", "nouveau"}}
	tMefs       = &Target{Table: "bcn_mefs", Key: []string{"mef"}, Cols: []string{"mef", "mefstat11", "cfd", "dispositif", "duree", "annee", "libelle_long", "date_fermeture"}}
	tNiveaux    = &Target{Table: "bcn_niveaux", Key: []string{"code"}, Cols: []string{"code", "libelle_court", "libelle_100"}}
	tDispositif = &Target{Table: "bcn_dispositifs", Key: []string{"code"}, Cols: []string{"code", "niveau", "libelle_court", "libelle_long"}}
	tGroupes    = &Target{Table: "bcn_groupes_specialite", Key: []string{"code"}, Cols: []string{"code", "domaine", "libelle_court", "libelle_long"}}
)

// bindFormation reads the columns N_ and V_FORMATION_DIPLOME share, by name
// (the "avec libellés" export interleaves label columns).
func bindFormation(h header, links bool) (rowFunc, error) {
	c, err := h.cols("FORMATION_DIPLOME", "NIVEAU_FORMATION_DIPLOME", "GROUPE_SPECIALITE", "LIBELLE_COURT",
		"LIBELLE_STAT_33", "LIBELLE_LONG_200", "DATE_OUVERTURE", "DATE_FERMETURE")
	if err != nil {
		return nil, err
	}
	var anc, nou []int
	if links {
		for i := 1; i <= 7; i++ {
			a, n := h.col(fmt.Sprintf("ANCIEN_DIPLOME_%d", i)), h.col(fmt.Sprintf("NOUVEAU_DIPLOME_%d", i))
			if a < 0 || n < 0 {
				return nil, fmt.Errorf("colonnes ANCIEN_DIPLOME_%d / NOUVEAU_DIPLOME_%d manquantes", i, i)
			}
			anc, nou = append(anc, a), append(nou, n)
		}
	}
	return func(r *row) {
		cfd := r.cfd(c[0])
		r.emit(tFormations, cfd, r.opt(c[1]), r.opt(c[2]), r.opt(c[3]), r.opt(c[4]), r.opt(c[5]), r.date(c[6]), r.date(c[7]))
		// Links are declared on either side, sometimes on one only: every
		// declaration becomes an (ancien, nouveau) pair, which repairs
		// one-sided links.
		// A few historical links name 7-character codes that are not
		// CFDs (e.g. "5102003"): they cannot match any formation and are
		// skipped rather than failing the row.
		for _, i := range anc {
			if a, err := model.NormalizeCFD(r.str(i)); err == nil {
				r.emit(tLinks, a, cfd)
			}
		}
		for _, i := range nou {
			if n, err := model.NormalizeCFD(r.str(i)); err == nil {
				r.emit(tLinks, cfd, n)
			}
		}
	}, nil
}

var fmtNFormation = &Format{
	Kind: "bcn_n_formation_diplome", Producer: "BCN (DEPP)", Label: "BCN N_FORMATION_DIPLOME", Order: 11, Plain: true,
	Targets: []*Target{tFormations, tLinks},
	Match: func(h header, _ string) bool {
		return h.has("FORMATION_DIPLOME", "LIBELLE_LONG_200", "ANCIEN_DIPLOME_1")
	},
	Bind: func(h header, _ string) (rowFunc, error) { return bindFormation(h, true) },
}

var fmtVFormation = &Format{
	Kind: "bcn_v_formation_diplome", Producer: "BCN (DEPP)", Label: "BCN V_FORMATION_DIPLOME", Order: 10, Plain: true,
	Targets: []*Target{tFormations},
	Match: func(h header, _ string) bool {
		return h.has("FORMATION_DIPLOME", "LIBELLE_LONG_200") && !h.has("ANCIEN_DIPLOME_1")
	},
	Bind: func(h header, _ string) (rowFunc, error) { return bindFormation(h, false) },
}

var fmtMef = &Format{
	Kind: "bcn_n_mef", Producer: "BCN (DEPP)", Label: "BCN N_MEF", Order: 12, Plain: true,
	Targets: []*Target{tMefs},
	Match:   func(h header, _ string) bool { return h.has("MEF", "MEF_STAT_11", "FORMATION_DIPLOME") },
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("MEF", "MEF_STAT_11", "FORMATION_DIPLOME", "DISPOSITIF_FORMATION", "DUREE_DISPOSITIF",
			"ANNEE_DISPOSITIF", "LIBELLE_LONG", "DATE_FERMETURE")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			mef := r.str(c[0])
			if len(mef) != 10 || !isDigits(mef) {
				r.reject(c[0], "code MEF sur 10 chiffres attendu")
			}
			var ms any
			if r.str(c[1]) != "" {
				ms = r.mefstat11(c[1])
			}
			var cfd any
			if r.str(c[2]) != "" {
				cfd = r.cfd(c[2])
			}
			r.emit(tMefs, mef, ms, cfd, r.opt(c[3]), iv(r.count(c[4])), iv(r.count(c[5])), r.opt(c[6]), r.date(c[7]))
		}, nil
	},
}

var fmtNiveau = &Format{
	Kind: "bcn_n_niveau_formation_diplome", Producer: "BCN (DEPP)", Label: "BCN N_NIVEAU_FORMATION_DIPLOME", Order: 9, Plain: true,
	Targets: []*Target{tNiveaux},
	Match: func(h header, _ string) bool {
		return h.has("NIVEAU_FORMATION_DIPLOME", "NIVEAU_INTERMINISTERIEL", "LIBELLE_100") && !h.has("FORMATION_DIPLOME")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("NIVEAU_FORMATION_DIPLOME", "LIBELLE_COURT", "LIBELLE_100")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.str(c[0])
			if len(code) != 3 {
				r.reject(c[0], "code niveau sur 3 caractères attendu")
			}
			r.emit(tNiveaux, code, r.opt(c[1]), r.opt(c[2]))
		}, nil
	},
}

var fmtDispositif = &Format{
	Kind: "bcn_n_dispositif_formation", Producer: "BCN (DEPP)", Label: "BCN N_DISPOSITIF_FORMATION", Order: 9, Plain: true,
	Targets: []*Target{tDispositif},
	Match: func(h header, _ string) bool {
		return h.has("DISPOSITIF_FORMATION", "NIVEAU_FORMATION_DIPLOME", "LIBELLE_LONG") && !h.has("MEF")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("DISPOSITIF_FORMATION", "NIVEAU_FORMATION_DIPLOME", "LIBELLE_COURT", "LIBELLE_LONG")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.str(c[0])
			if len(code) != 3 {
				r.reject(c[0], "code dispositif sur 3 caractères attendu")
			}
			r.emit(tDispositif, code, r.opt(c[1]), r.opt(c[2]), r.opt(c[3]))
		}, nil
	},
}

var fmtGroupe = &Format{
	Kind: "bcn_n_groupe_specialite", Producer: "BCN (DEPP)", Label: "BCN N_GROUPE_SPECIALITE (NSF)", Order: 9, Plain: true,
	Targets: []*Target{tGroupes},
	Match: func(h header, _ string) bool {
		return h.has("GROUPE_SPECIALITE", "DOMAINE_SPECIALITE", "LIBELLE_LONG") && !h.has("FORMATION_DIPLOME")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("GROUPE_SPECIALITE", "DOMAINE_SPECIALITE", "LIBELLE_COURT", "LIBELLE_LONG")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.str(c[0])
			if len(code) != 3 {
				r.reject(c[0], "code groupe de spécialité sur 3 caractères attendu")
			}
			r.emit(tGroupes, code, r.opt(c[1]), r.opt(c[2]), r.opt(c[3]))
		}, nil
	},
}
