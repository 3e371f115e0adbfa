package search

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Object kinds.
const (
	KindEtablissement = "etablissement"
	KindFormation     = "formation"
)

// TypeFormation is the value of the type facet for formations; for
// establishments the facet holds the establishment type.
const TypeFormation = "Formation"

// Document is one searchable object: an establishment or a formation. It is
// also what a search returns (Hit embeds it), so it carries what a result
// card shows. JSON names follow the API vocabulary (DESIGN §6).
type Document struct {
	Objet string `json:"objet"` // KindEtablissement or KindFormation
	// Establishment.
	UAI         string            `json:"uai,omitempty"`
	Nom         string            `json:"nom,omitempty"`
	Type        string            `json:"type,omitempty"`
	Commune     string            `json:"commune,omitempty"`
	CodePostal  string            `json:"code_postal,omitempty"`
	Departement *model.Territoire `json:"departement,omitempty"`
	Academie    *model.Territoire `json:"academie,omitempty"`
	Region      *model.Territoire `json:"region,omitempty"`
	// Niveaux are the levels of the formations with figures.
	Niveaux []string `json:"niveaux,omitempty"`
	// NbFormations is the number of formations with figures.
	NbFormations int `json:"nb_formations,omitempty"`
	// Formation. Code is the canonical code of the page (the CFD, or the
	// SISE code of a higher-education diploma).
	Code       string   `json:"code,omitempty"`
	CFD        string   `json:"cfd,omitempty"`
	MEFSTAT11s []string `json:"mefstat11s,omitempty"`
	SISE       string   `json:"sise,omitempty"`
	Libelle    string   `json:"libelle,omitempty"`
	// LibelleBCN is the label as the BCN writes it (Libelle is readable);
	// searched too.
	LibelleBCN      string `json:"libelle_bcn,omitempty"`
	Niveau          string `json:"niveau,omitempty"`
	FormationFermee bool   `json:"formation_fermee,omitempty"`
	// AnciensLibelles are the labels of the diplomas this one replaced
	// (continuum), so that a search on an old name finds the new diploma.
	AnciensLibelles []string `json:"anciens_libelles,omitempty"`
	// Regions (INSEE codes) and Academies where a formation has figures.
	Regions   []string `json:"regions,omitempty"`
	Academies []string `json:"academies,omitempty"`
	// NbEtablissements is the number of establishments with figures for
	// the formation.
	NbEtablissements int `json:"nb_etablissements,omitempty"`
	// Both: the voies with figures.
	Voies []string `json:"voies,omitempty"`
	// Chiffre is the headline figure of the card, disclosed by the store
	// (model.Headline); nil when none is shown.
	Chiffre *model.ChiffreCarte `json:"chiffre,omitempty"`
	// AvecChiffres: an establishment with at least one figure shown
	// (formations: always true when open). Those rank first.
	AvecChiffres bool `json:"avec_chiffres,omitempty"`
	// Abreviation is the BCN LIBELLE_STAT_33 of a formation: its words
	// (« COMMERC. », « ACCOMPAG. ») are searchable.
	Abreviation string `json:"-"`
	// Famille is the famille de métiers of a bac pro specialty.
	Famille *model.FamilleRef `json:"famille,omitempty"`
}

// Tier orders the results before relevance: current formations and
// establishments with figures shown (1) before closed formations and
// establishments whose figures are all withheld (0).
func (d *Document) Tier() string {
	if d.Objet == KindEtablissement && d.AvecChiffres || d.Objet != KindEtablissement && !d.FormationFermee {
		return "1"
	}
	return "0"
}

// ID is the document id in the index.
func (d *Document) ID() string {
	if d.Objet == KindEtablissement {
		return "e:" + d.UAI
	}
	return "f:" + d.Code
}

// Title is the name or label.
func (d *Document) Title() string {
	if d.Objet == KindEtablissement {
		return d.Nom
	}
	return d.Libelle
}

// URL is the page of the object.
func (d *Document) URL() string {
	if d.Objet == KindEtablissement {
		return "/etablissements/" + url.PathEscape(d.UAI)
	}
	return "/formations/" + url.PathEscape(d.Code)
}

// codes lists every identifier the document answers to, upper case.
func (d *Document) codes() []string {
	var out []string
	add := func(s string) {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	add(d.UAI)
	add(d.Code)
	add(d.CFD)
	add(d.SISE)
	for _, m := range d.MEFSTAT11s {
		add(m)
	}
	return out
}

// indexDoc is what bleve indexes for a document.
func (d *Document) indexDoc() (map[string]interface{}, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{
		fTitle: d.Title(),
		fCodes: d.codes(),
		fSort:  model.Fold(d.Title()),
		fData:  string(data),
		fKind:  d.Objet,
		fTier:  d.Tier(),
	}
	if !d.FormationFermee {
		m[fOpen] = "1"
	}
	var place, alt []string
	switch d.Objet {
	case KindEtablissement:
		place = append(place, d.Commune, d.CodePostal)
		for _, t := range []*model.Territoire{d.Departement, d.Academie, d.Region} {
			if t != nil {
				place = append(place, t.Nom)
			}
		}
		if d.Departement != nil {
			place = append(place, strings.TrimLeft(d.Departement.Code, "0"))
		}
		alt = append(alt, d.Type)
		m[fType] = d.Type
		if len(d.Niveaux) > 0 {
			m[fNiveau] = d.Niveaux
		}
		if d.Region != nil && d.Region.Code != "" {
			m[fRegion] = d.Region.Code
		}
		if d.Academie != nil && d.Academie.Code != "" {
			m[fAcademie] = d.Academie.Code
		}
	case KindFormation:
		alt = append(alt, d.Niveau)
		if d.LibelleBCN != d.Libelle {
			alt = append(alt, d.LibelleBCN)
		}
		alt = append(alt, d.AnciensLibelles...)
		alt = append(alt, d.Abreviation)
		sig := Sigles(d.Libelle, d.Niveau)
		for _, a := range d.AnciensLibelles {
			sig = append(sig, Sigles(a, d.Niveau)...)
		}
		if len(sig) > 0 {
			m[fSigle] = strings.Join(sig, " ")
		}
		m[fType] = TypeFormation
		if d.Niveau != "" {
			m[fNiveau] = d.Niveau
		}
		if len(d.Regions) > 0 {
			m[fRegion] = d.Regions
		}
		if len(d.Academies) > 0 {
			m[fAcademie] = d.Academies
		}
	}
	if len(d.Voies) > 0 {
		m[fVoie] = d.Voies
	}
	var facets []string
	for _, f := range []string{fType, fRegion, fAcademie, fVoie, fNiveau} {
		switch v := m[f].(type) {
		case string:
			facets = append(facets, f+"="+v)
		case []string:
			for _, x := range v {
				facets = append(facets, f+"="+x)
			}
		}
	}
	m[fFacets] = facets
	m[fPlace] = strings.Join(nonEmpty(place), " ; ")
	m[fAlt] = strings.Join(nonEmpty(alt), " ; ")
	return m, nil
}

func nonEmpty(in []string) []string {
	out := in[:0]
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// normalize sorts and de-duplicates the list fields, so that two builds of
// the same data give the same index.
func (d *Document) normalize() {
	for _, p := range []*[]string{&d.MEFSTAT11s, &d.AnciensLibelles, &d.Regions, &d.Academies, &d.Voies, &d.Niveaux} {
		s := nonEmpty(*p)
		sort.Strings(s)
		out := s[:0]
		for i, v := range s {
			if i == 0 || v != s[i-1] {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			out = nil
		}
		*p = out
	}
}
