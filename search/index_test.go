package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// docsSource is a Source over a few documents, with a settable version.
type docsSource struct {
	mu      sync.Mutex
	version int64
	docs    []Document
	calls   int
}

func (s *docsSource) DataVersion(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

func (s *docsSource) Documents(ctx context.Context, emit func(Document) error) error {
	s.mu.Lock()
	docs := append([]Document(nil), s.docs...)
	s.calls++
	s.mu.Unlock()
	for _, d := range docs {
		if err := emit(d); err != nil {
			return err
		}
	}
	return nil
}

func (s *docsSource) set(version int64, docs ...Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version, s.docs = version, docs
}

func etab(uai, nom, commune string) Document {
	return Document{Objet: KindEtablissement, UAI: uai, Nom: nom, Commune: commune, Type: "Lycée professionnel",
		Region: &model.Territoire{Code: "76", Nom: "Occitanie"}, Academie: &model.Territoire{Code: "11", Nom: "Montpellier"},
		Voies: []string{model.VoieScolaire}}
}

func formation(cfd, libelle, niveau string, anciens ...string) Document {
	return Document{Objet: KindFormation, Code: cfd, CFD: cfd, Libelle: libelle, Niveau: niveau, AnciensLibelles: anciens,
		Voies: []string{model.VoieApprentissage}, Regions: []string{"76"}}
}

func firstURL(t *testing.T, ix *Index, q string) string {
	t.Helper()
	res, err := ix.Search(context.Background(), Request{Q: q})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Resultats) == 0 {
		return ""
	}
	return res.Resultats[0].URL
}

// Accents are folded before anything else, in documents and queries, in
// match, prefix and fuzzy queries alike.
func TestFoldingFirst(t *testing.T) {
	src := &docsSource{}
	src.set(1,
		etab("0340001A", "Lycée professionnel Jean Moulin", "Sète"),
		etab("0340002B", "Lycée de l’Œuvre", "Béziers"),
		etab("0340003C", "CFA de l'Énergie", "Agde"),
		formation("50022137", "BOULANGER (CAP)", "CAP"),
	)
	ix := New(t.TempDir(), nil)
	defer ix.Close()
	if _, err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"sete":           "/etablissements/0340001A",
		"Sète":           "/etablissements/0340001A",
		"SÈTE":           "/etablissements/0340001A",
		"sèt":            "/etablissements/0340001A", // prefix, folded
		"oeuvre":         "/etablissements/0340002B",
		"l'œuvre":        "/etablissements/0340002B",
		"énergie":        "/etablissements/0340003C",
		"energie agde":   "/etablissements/0340003C",
		"l'energie":      "/etablissements/0340003C",
		"béziers":        "/etablissements/0340002B",
		"bezier":         "/etablissements/0340002B", // plural stripped
		"boulangère":     "/formations/50022137",     // one typo (fuzzy on folded text)
		"lycées moulin":  "/etablissements/0340001A", // plural
		"boulanger":      "/formations/50022137",
		"BOULANGER CAP":  "/formations/50022137",
		"cap boulangers": "/formations/50022137",
	} {
		if got := firstURL(t, ix, q); got != want {
			t.Errorf("%q → %q, attendu %q", q, got, want)
		}
	}
	// Short words tolerate no typo: "sate" is not "sete".
	if got := firstURL(t, ix, "sate"); got != "" {
		t.Errorf("« sate » ne doit rien trouver (mot de moins de 5 lettres), trouvé %s", got)
	}
}

// Refresh builds only when the mapping or the data changed; another
// process's fresh index (CURRENT) is opened, not rebuilt.
func TestRefreshVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := &docsSource{}
	src.set(7, etab("0340001A", "Lycée Jean Moulin", "Sète"))

	ix := New(dir, nil)
	defer ix.Close()
	if err := ix.Open(); err != nil {
		t.Fatal(err)
	}
	if ix.Status().Open {
		t.Fatal("un répertoire vide ne doit pas donner d'index ouvert")
	}
	if _, err := ix.Search(ctx, Request{Q: "moulin"}); err != ErrNoIndex {
		t.Fatalf("recherche sans index : %v, attendu ErrNoIndex", err)
	}
	st, err := ix.Refresh(ctx, src)
	if err != nil || st == nil {
		t.Fatalf("premier Refresh : %v, %v (une construction attendue)", st, err)
	}
	if st, err := ix.Refresh(ctx, src); err != nil || st != nil {
		t.Fatalf("Refresh sans changement : %v, %v (rien à construire)", st, err)
	}
	if got := ix.Status(); got.DataVersion != 7 || got.MappingVersion != MappingVersion || got.Documents != 1 {
		t.Fatalf("état : %+v", got)
	}

	// While this process holds the index, another one cannot open it: it
	// waits a bounded time, then sees no index (and would build its own).
	ix2 := New(dir, nil)
	start := time.Now()
	if err := ix2.Open(); err != nil {
		t.Fatal(err)
	}
	if ix2.Status().Open || time.Since(start) > 5*time.Second {
		t.Fatalf("un index verrouillé par un autre processus ne doit pas s'ouvrir (ni bloquer) : %v", time.Since(start))
	}
	// Once the first one is closed, the other process (vitrine reindex, a
	// restart) finds the fresh index and builds nothing.
	_ = ix.Close()
	calls := src.calls
	if err := ix2.Open(); err != nil {
		t.Fatal(err)
	}
	if st, err := ix2.Refresh(ctx, src); err != nil || st != nil || src.calls != calls {
		t.Fatalf("réouverture d'un index à jour : %v, %v, %d lectures (aucune attendue)", st, err, src.calls-calls)
	}
	if got := firstURL(t, ix2, "moulin"); got != "/etablissements/0340001A" {
		t.Fatalf("index rouvert : %q", got)
	}

	// New data: rebuilt.
	src.set(8, etab("0340001A", "Lycée Jean Moulin", "Sète"), etab("0340002B", "Lycée Paul Valéry", "Sète"))
	if st, err := ix2.Refresh(ctx, src); err != nil || st == nil || st.Documents != 2 {
		t.Fatalf("nouvelles données : %+v, %v", st, err)
	}

	// An index of another mapping version: rebuilt.
	h := ix2.acquire()
	if err := h.idx.SetInternal(keyMappingVersion, []byte("0")); err != nil {
		t.Fatal(err)
	}
	h.release()
	name := h.name
	_ = ix2.Close()
	ix3 := New(dir, nil)
	defer ix3.Close()
	if err := ix3.Open(); err != nil {
		t.Fatal(err)
	}
	if ix3.Fresh(8) {
		t.Fatal("un index d'une autre version de mapping ne doit pas être à jour")
	}
	if st, err := ix3.Refresh(ctx, src); err != nil || st == nil {
		t.Fatalf("mapping périmé : %+v, %v (reconstruction attendue)", st, err)
	}
	// The outdated directory is gone once swapped out.
	if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
		t.Errorf("l'ancien index %s devrait être supprimé : %v", name, err)
	}
	cur, _ := os.ReadFile(filepath.Join(dir, currentFile))
	if got := strings.TrimSpace(string(cur)); got != ix3.cur.Load().name {
		t.Errorf("CURRENT = %q, index en service %q", got, ix3.cur.Load().name)
	}
}

// Searches keep answering while indexes are rebuilt and swapped.
func TestSwapWithoutDowntime(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := &docsSource{}
	src.set(1, etab("0340001A", "Lycée Jean Moulin", "Sète"))
	ix := New(dir, nil)
	defer ix.Close()
	if _, err := ix.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var searches, failures atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				res, err := ix.Search(ctx, Request{Q: "moulin"})
				searches.Add(1)
				if err != nil || len(res.Resultats) == 0 {
					failures.Add(1)
				}
			}
		}()
	}
	for v := int64(2); v <= 6; v++ {
		src.set(v, etab("0340001A", "Lycée Jean Moulin", "Sète"), etab("0340002B", "Lycée Moulin "+strings.Repeat("bis ", int(v)), "Agde"))
		if _, err := ix.Refresh(ctx, src); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d recherches sur %d ont échoué pendant les bascules", failures.Load(), searches.Load())
	}
	if searches.Load() == 0 {
		t.Fatal("aucune recherche exécutée")
	}
	if got := ix.Status().DataVersion; got != 6 {
		t.Fatalf("version en service %d, attendu 6", got)
	}
	entries, _ := os.ReadDir(dir)
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) != 1 {
		t.Errorf("un seul répertoire d'index attendu après les bascules, trouvé %v", dirs)
	}
	t.Logf("%d recherches pendant 5 bascules, 0 échec", searches.Load())
}

func TestStripPlural(t *testing.T) {
	for in, want := range map[string]string{"lycees": "lycee", "metiers": "metier", "travaux": "travau", "bus": "bus",
		"cours": "cour", "classes": "classe", "process": "process", "35000s": "35000s", "gaz": "gaz"} {
		if got := string(stripPlural([]byte(in))); got != want {
			t.Errorf("stripPlural(%q) = %q, attendu %q", in, got, want)
		}
	}
}

// The facet counts read from the in-memory table equal bleve's own facets
// read from the doc values, for broad, filtered and fallback searches.
func TestFacetTableMatchesBleve(t *testing.T) {
	src := &docsSource{}
	var docs []Document
	regions := []string{"11", "24", "53", "84", "93"}
	for i := range 600 {
		d := etab(fmt.Sprintf("%07d", i)+"A", fmt.Sprintf("Lycée numéro %d", i), "Ville "+strconv.Itoa(i%7))
		d.Region = &model.Territoire{Code: regions[i%5], Nom: "R" + regions[i%5]}
		d.Academie = &model.Territoire{Code: strconv.Itoa(10 + i%9), Nom: "A" + strconv.Itoa(i%9)}
		d.Voies = []string{model.VoieScolaire, model.VoieApprentissage}[:1+i%2]
		d.Niveaux = []string{"CAP", "BAC PRO", "BTS"}[:1+i%3]
		docs = append(docs, d)
	}
	for i := range 200 {
		f := formation(fmt.Sprintf("5002%04d", i), fmt.Sprintf("CUISINE OPTION %d (CAP)", i), "CAP")
		f.Regions = regions[:1+i%5]
		f.Academies = []string{"10", "11", "12"}[:1+i%3]
		docs = append(docs, f)
	}
	src.set(1, docs...)
	ix := New(t.TempDir(), nil)
	defer ix.Close()
	if _, err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	h := ix.acquire()
	defer h.release()
	if h.facets == nil || len(h.facets.docs) == 0 {
		t.Fatal("pas de table de facettes")
	}
	table := h.facets
	for _, r := range []Request{
		{Q: "lycee"}, {Q: "lycee numero"}, {Q: "cuisine"}, {Q: "cap"}, {Q: "ville 3"},
		{Q: "lycee", Filters: Filters{Region: "53"}}, {Filters: Filters{Voie: model.VoieApprentissage}},
		{Filters: Filters{Type: TypeFormation, Academie: "11"}}, {Q: "lycee zzz"}, // all words but one
	} {
		h.facets = table
		ix.DropCache()
		got, err := ix.Search(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		h.facets = nil // bleve's doc-values facets
		ix.DropCache()
		want, err := ix.Search(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total == 0 || !reflect.DeepEqual(got.Facettes, want.Facettes) {
			t.Errorf("%+v : %d résultats\ntable : %+v\nbleve : %+v", r, got.Total, got.Facettes, want.Facettes)
		}
	}
	h.facets = table
}
