// Package searchsource feeds the search index from the store: it turns the
// store's search rows into search.Documents. It is the only place that
// knows both sides, so that search/ depends on internal/model alone.
package searchsource

import (
	"context"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

// Store is what the source needs from the database.
type Store interface {
	DataVersion(ctx context.Context) (int64, error)
	SearchEtablissements(ctx context.Context, fn func(model.SearchEtablissement) error) error
	SearchFormations(ctx context.Context, fn func(model.SearchFormation) error) error
}

// Source implements search.Source over the store.
type Source struct{ St Store }

// New returns the source of st.
func New(st Store) Source { return Source{St: st} }

// DataVersion is the id of the last import run.
func (s Source) DataVersion(ctx context.Context) (int64, error) { return s.St.DataVersion(ctx) }

// Documents emits every establishment then every formation. The formation
// query runs meanwhile on another connection (they are independent), so
// a build waits for the slower of the two, not for their sum.
func (s Source) Documents(ctx context.Context, emit func(search.Document) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		docs []search.Document
		err  error
	}
	formations := make(chan result, 1)
	go func() {
		var r result
		r.err = s.St.SearchFormations(ctx, func(f model.SearchFormation) error {
			r.docs = append(r.docs, Formation(f))
			return nil
		})
		formations <- r
	}()
	if err := s.St.SearchEtablissements(ctx, func(e model.SearchEtablissement) error {
		return emit(Etablissement(e))
	}); err != nil {
		return err
	}
	r := <-formations
	if r.err != nil {
		return r.err
	}
	for _, d := range r.docs {
		if err := emit(d); err != nil {
			return err
		}
	}
	return nil
}

// Etablissement converts a store row.
func Etablissement(e model.SearchEtablissement) search.Document {
	d := search.Document{
		Objet:        search.KindEtablissement,
		UAI:          e.UAI,
		Nom:          e.Nom,
		Type:         EtablissementType(e.Nom, e.Type, e.Voies),
		Commune:      e.Commune,
		CodePostal:   e.CodePostal,
		Voies:        e.Voies,
		Niveaux:      e.Niveaux,
		NbFormations: e.Formations,
		Chiffre:      e.Chiffre,
		AvecChiffres: e.AvecChiffres,
	}
	if d.Nom == "" {
		d.Nom = "Établissement " + e.UAI
	}
	if e.Departement.Code != "" {
		t := e.Departement
		d.Departement = &t
	}
	if e.Academie.Code != "" {
		t := e.Academie
		d.Academie = &t
	}
	if e.Region.Code != "" {
		t := e.Region
		d.Region = &t
	}
	return d
}

// Formation converts a store row. The code of the page is the CFD, or the
// SISE code of a higher-education diploma.
func Formation(f model.SearchFormation) search.Document {
	code := f.CFD
	if code == "" {
		code = f.SISE
	}
	return search.Document{
		Objet:            search.KindFormation,
		Code:             code,
		CFD:              f.CFD,
		SISE:             f.SISE,
		MEFSTAT11s:       f.MEFSTAT11s,
		Libelle:          f.Libelle,
		LibelleBCN:       f.LibelleBCN,
		Niveau:           f.Niveau,
		FormationFermee:  f.Fermee,
		AnciensLibelles:  f.AnciensLibelles,
		Regions:          f.Regions,
		Academies:        f.Academies,
		NbEtablissements: f.Etablissements,
		Voies:            f.Voies,
		Chiffre:          f.Chiffre,
		AvecChiffres:     !f.Fermee,
		Abreviation:      f.Abreviation,
		Famille:          f.Famille,
	}
}

// Establishment types of the type facet.
const (
	TypeLP     = "Lycée professionnel"
	TypeLPO    = "Lycée polyvalent"
	TypeLGT    = "Lycée général et technologique"
	TypeLA     = "Lycée agricole"
	TypeLycee  = "Lycée"
	TypeMFR    = "Maison familiale rurale"
	TypeEREA   = "EREA"
	TypeCFA    = "CFA ou organisme de formation"
	TypeSup    = "Établissement d'enseignement supérieur"
	TypeAutre  = "Autre établissement"
	typeSEP    = "Section d'enseignement professionnel"
	typeCollge = "Collège"
)

// namePrefixes classify an establishment by the start of its folded name;
// the InserJeunes files carry no type, but their names say it ("Lycée
// professionnel X", "Organisme de formation-Centre de formation
// d'apprentis Y"). Order matters: most specific first.
var namePrefixes = []struct{ prefix, typ string }{
	{"lycee professionnel agricole", TypeLA},
	{"lycee d'enseignement general et technologique agricole", TypeLA},
	{"lycee general et technologique agricole", TypeLA},
	{"lycee agricole", TypeLA},
	{"legta", TypeLA},
	{"lpa ", TypeLA},
	{"lycee professionnel", TypeLP},
	{"lycee prof", TypeLP},
	{"lp ", TypeLP},
	{"lycee polyvalent", TypeLPO},
	{"lpo ", TypeLPO},
	{"lycee general", TypeLGT},
	{"lycee technologique", TypeLGT},
	{"lycee d'enseignement general", TypeLGT},
	{"lgt ", TypeLGT},
	{"lycee", TypeLycee},
	{"section d'enseignement professionnel", typeSEP},
	{"maison familiale", TypeMFR},
	{"mfr ", TypeMFR},
	{"etablissement regional d'enseignement adapte", TypeEREA},
	{"erea", TypeEREA},
	{"college", typeCollge},
	{"universite", TypeSup},
	{"ecole superieure", TypeSup},
	{"ecole nationale superieure", TypeSup},
	{"institut universitaire", TypeSup},
}

// cfaWords mark an apprentice training centre anywhere in the name.
var cfaWords = []string{"centre de formation d'apprentis", "centre formation apprentis", "organisme de formation",
	"organisme formation", "organisme de foramtion", "ctre de formation", "centre de formation", "site de formation",
	"institut de formation", "cfa ", "cfa-", "(cfa", " cfa", "ufa ", "campus des metiers"}

// EtablissementType gives the type of the facet: from the name when it says
// it (the most precise), else the referential's type, else the voie.
func EtablissementType(nom, refType string, voies []string) string {
	f := strings.ReplaceAll(model.Fold(strings.TrimSpace(nom)), "’", "'")
	for _, p := range namePrefixes {
		if strings.HasPrefix(f, p.prefix) {
			return p.typ
		}
	}
	for _, w := range cfaWords {
		if strings.Contains(f, w) || strings.HasPrefix(f, strings.TrimSpace(w)+" ") {
			return TypeCFA
		}
	}
	if refType != "" {
		return refType
	}
	apprentissageOnly := len(voies) > 0
	for _, v := range voies {
		if v != model.VoieApprentissage {
			apprentissageOnly = false
		}
	}
	if apprentissageOnly {
		return TypeCFA
	}
	return TypeAutre
}
