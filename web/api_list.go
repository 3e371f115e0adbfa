package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// The list routes of the API: every establishment and every formation
// with figures (the documents of the search index, read from PostgreSQL),
// filtered and paginated, as JSON or CSV.
//
//	GET /api/v1/etablissements?region=&academie=&departement=&type=&voie=&page=&par_page=&format=
//	GET /api/v1/formations?niveau=&voie=&famille=&page=&par_page=&format=

// apiLists keeps the two complete lists for one data version: a filter
// or a page costs no query once they are read (the answers themselves are
// also kept by the page cache). Reading a list takes seconds (it is what
// the search index is built from), so it runs detached from the request
// that asked first: a request that cannot wait for it gets a 503 with
// Retry-After, and the next one finds the list ready.
type apiLists struct {
	// store reads the lists: the bulk store of WithListStore (no
	// statement timeout, like the search index build), else the server's.
	store *store.Store
	etabs listCache[etablissementItem]
	forms listCache[formationItem]
}

// WithListStore gives the list routes of the API the store they read
// their complete lists with: reading one takes seconds, like building the
// search index, and must not fall under the requests' STATEMENT_TIMEOUT.
func WithListStore(st *store.Store) Option { return func(s *Server) { s.apiLists.store = st } }

// listStore is the store the lists are read with.
func (s *Server) listStore() *store.Store {
	if s.apiLists.store != nil {
		return s.apiLists.store
	}
	return s.store
}

// listLoadTimeout bounds the reading of one list.
const listLoadTimeout = 3 * time.Minute

// listWait is how long a request waits for a list being read before it
// is told to come back.
const listWait = 10 * time.Second

// errListPreparing is the answer while a list is being read.
var errListPreparing = &httpError{Status: fiber.StatusServiceUnavailable, Code: "liste_en_preparation", RetryAfter: 10,
	Heading: "Liste en préparation",
	Message: "la liste est en cours de préparation après une mise à jour des données : réessayez dans quelques secondes"}

// listCache is one list of one data version, read once in the background.
type listCache[T any] struct {
	mu      sync.Mutex
	version int64
	done    chan struct{} // closed when the read of version ends
	items   []T
	err     error
}

// get returns the list of data version v, starting its read if needed
// (again after a failed read) and waiting for it at most listWait.
func (l *listCache[T]) get(ctx context.Context, v int64, load func(context.Context) ([]T, error)) ([]T, error) {
	l.mu.Lock()
	stale := l.done == nil || l.version != v
	if !stale {
		select {
		case <-l.done:
			stale = l.err != nil
		default:
		}
	}
	if stale {
		done := make(chan struct{})
		l.version, l.done, l.items, l.err = v, done, nil, nil
		// Detached from the request, with the data version the store keys
		// its summaries on.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), listLoadTimeout)
		go func() {
			defer cancel()
			items, err := load(lctx)
			l.mu.Lock()
			if l.done == done {
				l.items, l.err = items, err
			}
			l.mu.Unlock()
			close(done)
		}()
	}
	done := l.done
	l.mu.Unlock()
	t := time.NewTimer(listWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		return nil, errListPreparing
	case <-ctx.Done():
		return nil, errListPreparing
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done != done { // a newer version replaced it meanwhile
		return nil, errListPreparing
	}
	return l.items, l.err
}

// etablissementItem is one establishment of GET /api/v1/etablissements.
type etablissementItem struct {
	UAI          string              `json:"uai"`
	Nom          string              `json:"nom"`
	Type         string              `json:"type"`
	Commune      string              `json:"commune"`
	CodePostal   string              `json:"code_postal"`
	Departement  model.Territoire    `json:"departement"`
	Academie     model.Territoire    `json:"academie"`
	Region       model.Territoire    `json:"region"`
	Voies        []string            `json:"voies"`
	Niveaux      []string            `json:"niveaux"`
	NbFormations int                 `json:"nb_formations"`
	AvecChiffres bool                `json:"avec_chiffres"`
	Chiffre      *model.ChiffreCarte `json:"chiffre"`
	// Demonstration: at least one figure of the establishment comes from
	// synthetic data (as in GET /api/v1/etablissements/{uai}).
	Demonstration bool   `json:"demonstration"`
	URL           string `json:"url"`
}

// formationItem is one formation of GET /api/v1/formations.
type formationItem struct {
	Code                    string              `json:"code"`
	CFD                     string              `json:"cfd,omitempty"`
	SISE                    string              `json:"sise,omitempty"`
	MEFSTAT11AnneeTerminale []string            `json:"mefstat11_annee_terminale"`
	Libelle                 string              `json:"libelle"`
	LibelleBCN              string              `json:"libelle_bcn,omitempty"`
	Niveau                  string              `json:"niveau"`
	FormationFermee         bool                `json:"formation_fermee"`
	Voies                   []string            `json:"voies"`
	Regions                 []string            `json:"regions"`
	NbEtablissements        int                 `json:"nb_etablissements"`
	Famille                 *model.FamilleRef   `json:"famille"`
	Chiffre                 *model.ChiffreCarte `json:"chiffre"`
	Demonstration           bool                `json:"demonstration"`
	URL                     string              `json:"url"`
}

// etablissementItems is the complete list of establishments of data
// version v.
func (s *Server) etablissementItems(ctx context.Context, v int64) ([]etablissementItem, error) {
	return s.apiLists.etabs.get(ctx, v, func(ctx context.Context) ([]etablissementItem, error) {
		st := s.listStore()
		demo, err := st.SyntheticUAIs(ctx)
		if err != nil {
			return nil, err
		}
		var out []etablissementItem
		err = st.SearchEtablissements(ctx, func(e model.SearchEtablissement) error {
			out = append(out, etablissementItem{UAI: e.UAI, Nom: e.Nom, Type: e.Type, Commune: e.Commune, CodePostal: e.CodePostal,
				Departement: e.Departement, Academie: e.Academie, Region: e.Region, Voies: nonNil(e.Voies), Niveaux: nonNil(e.Niveaux),
				NbFormations: e.Formations, AvecChiffres: e.AvecChiffres, Chiffre: e.Chiffre, Demonstration: demo[e.UAI],
				URL: "/api/v1/etablissements/" + e.UAI})
			return nil
		})
		return out, err
	})
}

// formationItems is the complete list of formations of data version v.
func (s *Server) formationItems(ctx context.Context, v int64) ([]formationItem, error) {
	return s.apiLists.forms.get(ctx, v, func(ctx context.Context) ([]formationItem, error) {
		st := s.listStore()
		demo, err := st.SyntheticCodes(ctx)
		if err != nil {
			return nil, err
		}
		var out []formationItem
		err = st.SearchFormations(ctx, func(f model.SearchFormation) error {
			code := f.CFD
			if code == "" {
				code = f.SISE
			}
			out = append(out, formationItem{Code: code, CFD: f.CFD, SISE: f.SISE, MEFSTAT11AnneeTerminale: nonNil(f.MEFSTAT11s),
				Libelle: f.Libelle, LibelleBCN: f.LibelleBCN, Niveau: f.Niveau, FormationFermee: f.Fermee, Voies: nonNil(f.Voies),
				Regions: nonNil(f.Regions), NbEtablissements: f.Etablissements, Famille: f.Famille, Chiffre: f.Chiffre,
				Demonstration: demo[code], URL: "/api/v1/formations/" + code})
			return nil
		})
		return out, err
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// etablissementsJSON is the answer of GET /api/v1/etablissements.
type etablissementsJSON struct {
	Filtres        map[string]string   `json:"filtres"`
	Pagination     apiPagination       `json:"pagination"`
	Demonstration  bool                `json:"demonstration"`
	Etablissements []etablissementItem `json:"etablissements"`
}

// formationsJSON is the answer of GET /api/v1/formations.
type formationsJSON struct {
	Filtres       map[string]string `json:"filtres"`
	Pagination    apiPagination     `json:"pagination"`
	Demonstration bool              `json:"demonstration"`
	Formations    []formationItem   `json:"formations"`
}

// readListRequest reads what every paginated API answer takes: its
// filters (readFilters), its page (readPage) and its format (apiFormat).
func readListRequest(c *fiber.Ctx, filterNames ...string) (filters map[string]string, pr pageRequest, f string, err error) {
	if filters, err = readFilters(c, filterNames...); err != nil {
		return
	}
	if pr, err = readPage(c); err != nil {
		return
	}
	f, err = apiFormat(c)
	return
}

// readFilters reads the filter parameters names (texts cut to 200
// characters); voie and region are checked (a 400 that names them).
func readFilters(c *fiber.Ctx, names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		v := strings.TrimSpace(textParam(c, n, 200))
		if v == "" {
			continue
		}
		switch n {
		case "voie":
			v = strings.ToLower(v)
			if !slices.Contains([]string{model.VoieScolaire, model.VoieApprentissage, model.VoieSuperieur}, v) {
				return nil, errBadRequest(fmt.Sprintf("le paramètre « voie » vaut scolaire, apprentissage ou superieur (reçu %s)", quoteParam(v)))
			}
		case "region":
			r, ok := model.RegionByCode(v)
			if !ok {
				return nil, errBadRequest(fmt.Sprintf("le paramètre « region » attend un code INSEE de région, 53 pour la Bretagne… (reçu %s)", quoteParam(v)))
			}
			v = r.Code
		}
		out[n] = v
	}
	return out, nil
}

// sameText compares a filter with a value, case and accents aside.
func sameText(filter, v string) bool {
	return strings.EqualFold(model.Fold(strings.TrimSpace(filter)), model.Fold(strings.TrimSpace(v)))
}

func (e *etablissementItem) matches(f map[string]string) bool {
	for k, v := range f {
		var ok bool
		switch k {
		case "region":
			ok = e.Region.Code == v
		case "academie":
			ok = sameText(v, e.Academie.Code) || sameText(v, e.Academie.Nom)
		case "departement":
			ok = sameText(v, e.Departement.Code) || sameText(v, strings.TrimLeft(e.Departement.Code, "0")) || sameText(v, e.Departement.Nom)
		case "type":
			ok = sameText(v, e.Type)
		case "voie":
			ok = slices.Contains(e.Voies, v)
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f *formationItem) matches(fl map[string]string) bool {
	for k, v := range fl {
		var ok bool
		switch k {
		case "niveau":
			ok = sameText(v, f.Niveau)
		case "voie":
			ok = slices.Contains(f.Voies, v)
		case "famille":
			ok = f.Famille != nil && (sameText(v, f.Famille.Slug) || sameText(v, f.Famille.Nom))
		}
		if !ok {
			return false
		}
	}
	return true
}

// pageOfList filters the items of a list route (match says whether one
// passes the filters), cuts the requested page (never nil, so JSON says
// []), and tells whether a shown item is synthetic.
func pageOfList[T any](items []T, match func(*T) bool, demo func(*T) bool, pr pageRequest) ([]T, apiPagination, bool) {
	var sel []T
	for i := range items {
		if match(&items[i]) {
			sel = append(sel, items[i])
		}
	}
	lo, hi, p := pr.paginate(len(sel))
	page := sel[lo:hi:hi]
	if page == nil {
		page = []T{}
	}
	synthetic := false
	for i := range page {
		synthetic = synthetic || demo(&page[i])
	}
	return page, p, synthetic
}

// apiEtablissements is GET /api/v1/etablissements: the establishments
// with figures, in UAI order, filtered, one page at a time.
func (s *Server) apiEtablissements(c *fiber.Ctx) error {
	filters, pr, f, err := readListRequest(c, "region", "academie", "departement", "type", "voie")
	if err != nil {
		return err
	}
	return s.serveAPI(c, func(st dataState) (*built, error) {
		etabs, err := s.etablissementItems(c.UserContext(), st.Version)
		if err != nil {
			return nil, err
		}
		out := etablissementsJSON{Filtres: filters}
		out.Etablissements, out.Pagination, out.Demonstration = pageOfList(etabs,
			func(e *etablissementItem) bool { return e.matches(filters) },
			func(e *etablissementItem) bool { return e.Demonstration }, pr)
		if f == "csv" {
			return csvBuilt(etablissementsTable(out.Etablissements), "etablissements", out.Pagination)
		}
		return jsonBuilt(out)
	})
}

// apiFormations is GET /api/v1/formations: the formations with figures
// (CFDs, then InserSup diplomas), filtered, one page at a time.
func (s *Server) apiFormations(c *fiber.Ctx) error {
	filters, pr, f, err := readListRequest(c, "niveau", "voie", "famille")
	if err != nil {
		return err
	}
	return s.serveAPI(c, func(st dataState) (*built, error) {
		forms, err := s.formationItems(c.UserContext(), st.Version)
		if err != nil {
			return nil, err
		}
		out := formationsJSON{Filtres: filters}
		out.Formations, out.Pagination, out.Demonstration = pageOfList(forms,
			func(e *formationItem) bool { return e.matches(filters) },
			func(e *formationItem) bool { return e.Demonstration }, pr)
		if f == "csv" {
			return csvBuilt(formationsTable(out.Formations), "formations", out.Pagination)
		}
		return jsonBuilt(out)
	})
}

// etablissementsTable is the CSV form of a page of establishments: the
// export's identifier columns (uai, nom_etablissement, code_region,
// code_departement, voie…), then the columns of the list, then
// demonstration.
func etablissementsTable(items []etablissementItem) *dataTable {
	t := &dataTable{ID: "etablissements", Columns: []column{
		{Key: "type", Label: "type"}, {Key: "commune", Label: "commune"}, {Key: "code_postal", Label: "code_postal"},
		{Key: "academie", Label: "code_academie"}, {Key: "voies", Label: "voies"}, {Key: "niveaux", Label: "niveaux"},
		{Key: "nb_formations", Label: "nb_formations", Numeric: true}, {Key: "indicateur", Label: "chiffre_indicateur"},
		{Key: "valeur", Label: "chiffre_valeur", Numeric: true}, {Key: "millesime", Label: "chiffre_millesime"},
	}}
	for _, e := range items {
		ids := rowIDs{UAI: e.UAI, Etablissement: e.Nom, Region: e.Region.Code, Departement: e.Departement.Code}
		cells := []cell{textCell(e.Type), textCell(e.Commune), textCell(e.CodePostal), textCell(e.Academie.Code),
			textCell(strings.Join(e.Voies, ",")), textCell(strings.Join(e.Niveaux, ",")), numCell(e.NbFormations)}
		cells = append(cells, chiffreCells(e.Chiffre)...)
		t.addRow(e.Demonstration, ids, cells...)
	}
	return t
}

// formationsTable is the CSV form of a page of formations.
func formationsTable(items []formationItem) *dataTable {
	t := &dataTable{ID: "formations", Columns: []column{
		{Key: "code", Label: "code"}, {Key: "libelle", Label: "libelle"}, {Key: "niveau", Label: "niveau"},
		{Key: "formation_fermee", Label: "formation_fermee"}, {Key: "voies", Label: "voies"},
		{Key: "mefstat11_annee_terminale", Label: "mefstat11_annee_terminale"}, {Key: "famille", Label: "famille"},
		{Key: "nb_etablissements", Label: "nb_etablissements", Numeric: true}, {Key: "indicateur", Label: "chiffre_indicateur"},
		{Key: "valeur", Label: "chiffre_valeur", Numeric: true}, {Key: "millesime", Label: "chiffre_millesime"},
	}}
	for _, f := range items {
		ids := rowIDs{CFD: f.CFD, SISE: f.SISE, LibelleBCN: f.LibelleBCN}
		fam := ""
		if f.Famille != nil {
			fam = f.Famille.Slug
		}
		cells := []cell{textCell(f.Code), textCell(f.Libelle), textCell(f.Niveau), textCell(ouiNon(f.FormationFermee)),
			textCell(strings.Join(f.Voies, ",")), textCell(strings.Join(f.MEFSTAT11AnneeTerminale, ",")), textCell(fam), numCell(f.NbEtablissements)}
		cells = append(cells, chiffreCells(f.Chiffre)...)
		t.addRow(f.Demonstration, ids, cells...)
	}
	return t
}

// chiffreCells are the headline of a list item (disclosed upstream by
// model.Headline: nil when no rate is shown).
func chiffreCells(h *model.ChiffreCarte) []cell {
	if h == nil {
		return []cell{textCell(""), textCell(""), textCell("")}
	}
	return []cell{textCell(h.Indicateur), numCell(h.Valeur), textCell(h.Millesime)}
}
