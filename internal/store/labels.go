package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// referentiel holds what readable labels are made from (model/label.go):
// the lexicon of the mixed-case labels of the data, the Certif Info label
// of each CFD that has exactly one, the readable label of each BCN level,
// and the métiers of each CFD. It is built once per data version.
type referentiel struct {
	lex     *model.Lexicon
	certif  map[string]string // CFD → its one Certif Info label
	niveaux map[string]string // BCN level code → readable label
	metiers map[string]*model.FormationMetiers
	// communes of each département (model.CommuneKey → readable name), as
	// the annuaire and ACCE place establishments.
	communes map[string]map[string]string
}

type refCache struct {
	mu      sync.Mutex
	version int64
	checked time.Time // last DataVersion check
	ref     *referentiel
}

// refCheckEvery bounds how often the data version is read again (as the
// web layer's data state, web/cache.go): a page makes several store calls.
const refCheckEvery = time.Second

// referentiel returns the referential of the current data version.
func (s *Store) referentiel(ctx context.Context) (*referentiel, error) {
	s.refs.mu.Lock()
	defer s.refs.mu.Unlock()
	if s.refs.ref != nil && time.Since(s.refs.checked) < refCheckEvery {
		return s.refs.ref, nil
	}
	v, err := s.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	if s.refs.ref == nil || s.refs.version != v {
		r, err := s.loadReferentiel(ctx)
		if err != nil {
			return nil, err
		}
		s.refs.ref, s.refs.version = r, v
	}
	s.refs.checked = time.Now()
	return s.refs.ref, nil
}

// lexiconSources are the mixed-case texts of the data (a text in capitals
// is skipped by Lexicon.Add): Certif Info labels and diploma types, ROME
// fiches and appellations, establishment names, addresses and communes.
const lexiconSources = `
SELECT libelle FROM certif_info
UNION ALL SELECT type_diplome FROM certif_info WHERE type_diplome IS NOT NULL
UNION ALL SELECT libelle FROM rome_fiches
UNION ALL SELECT libelle_long FROM rome_appellations
UNION ALL SELECT nom FROM etablissement_sources WHERE nom IS NOT NULL
UNION ALL SELECT adresse FROM etablissement_sources WHERE adresse IS NOT NULL
UNION ALL SELECT commune FROM etablissement_sources WHERE commune IS NOT NULL`

func (s *Store) loadReferentiel(ctx context.Context) (*referentiel, error) {
	r := &referentiel{lex: model.NewLexicon(), certif: map[string]string{}, niveaux: map[string]string{}, metiers: map[string]*model.FormationMetiers{}}
	rows, err := s.pool.Query(ctx, lexiconSources)
	if err != nil {
		return nil, fmt.Errorf("lexique des libellés : %w", err)
	}
	var text string
	if _, err := pgx.ForEachRow(rows, []any{&text}, func() error { r.lex.Add(text); return nil }); err != nil {
		return nil, fmt.Errorf("lexique des libellés : %w", err)
	}

	// Certif Info label per CFD: the one label of its published rows (Etat
	// 0), else of all its rows; none when several (a DEJEPS CFD has one
	// Certif Info row per mention).
	rows, err = s.pool.Query(ctx, `
SELECT cfd, coalesce(array_agg(DISTINCT libelle) FILTER (WHERE etat = '0'), '{}'), array_agg(DISTINCT libelle)
FROM certif_info WHERE cfd IS NOT NULL GROUP BY cfd`)
	if err != nil {
		return nil, fmt.Errorf("libellés Certif Info : %w", err)
	}
	var cfd string
	var pub, all []string
	if _, err := pgx.ForEachRow(rows, []any{&cfd, &pub, &all}, func() error {
		switch {
		case len(pub) == 1:
			r.certif[cfd] = pub[0]
		case len(pub) == 0 && len(all) == 1:
			r.certif[cfd] = all[0]
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("libellés Certif Info : %w", err)
	}

	if err := s.loadCommunes(ctx, r); err != nil {
		return nil, err
	}
	if err := s.loadNiveaux(ctx, r); err != nil {
		return nil, err
	}
	if err := s.loadMetiers(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// loadNiveaux makes the readable label of each BCN level
// (model.ReadableNiveau) from the Certif Info rows of its CFDs.
func (s *Store) loadNiveaux(ctx context.Context, r *referentiel) error {
	rows, err := s.pool.Query(ctx, `
SELECT n.code, coalesce(n.libelle_court, ''), coalesce(n.libelle_100, ''),
  coalesce(array_agg(c.libelle) FILTER (WHERE c.libelle IS NOT NULL), '{}'),
  coalesce(array_agg(c.type_diplome) FILTER (WHERE c.type_diplome IS NOT NULL), '{}')
FROM bcn_niveaux n
LEFT JOIN bcn_formations f ON f.niveau = n.code
LEFT JOIN certif_info c ON c.cfd = f.cfd
GROUP BY n.code, n.libelle_court, n.libelle_100`)
	if err != nil {
		return fmt.Errorf("niveaux lisibles : %w", err)
	}
	type niv struct {
		code, court, long string
		libs, types       []string
	}
	var all []niv
	var n niv
	_, err = pgx.ForEachRow(rows, []any{&n.code, &n.court, &n.long, &n.libs, &n.types}, func() error {
		all = append(all, n)
		n = niv{}
		return nil
	})
	if err != nil {
		return fmt.Errorf("niveaux lisibles : %w", err)
	}
	// A level none of whose CFDs is in Certif Info takes the diploma types
	// of its family (model.NiveauFamily: TH3-K beside TH3-X, TH3-C…).
	family := map[string][]string{}
	for _, n := range all {
		f := model.NiveauFamily(n.code, n.court)
		family[f] = append(family[f], n.types...)
	}
	for _, n := range all {
		types := n.types
		if len(types) == 0 && len(n.libs) == 0 {
			types = family[model.NiveauFamily(n.code, n.court)]
		}
		r.niveaux[n.code] = model.ReadableNiveau(n.court, n.long, n.libs, types, r.lex)
	}
	return nil
}

// readable rewrites the labels of a BCN identity: libelle becomes the
// readable form, libelleBCN keeps the source one; niveau becomes the
// readable level.
func (r *referentiel) readable(b *bcnFormation) {
	if b.libelleBCN == "" {
		b.libelleBCN = b.libelle
	}
	b.libelle, _ = model.ReadableFormationLabel(b.libelleBCN, r.certif[b.cfd], r.lex)
	if n, ok := r.niveaux[b.niveauCode]; ok && n != "" {
		b.niveau = n
	}
}

// loadMetiers reads, per CFD, the ROME codes of its Certif Info rows (in
// the order of their first appearance, published rows first), its Onisep
// formation page and its RNCP code.
func (s *Store) loadMetiers(ctx context.Context, r *referentiel) error {
	rows, err := s.pool.Query(ctx, `
SELECT c.cfd, r.code, coalesce(f.libelle, ''), coalesce(d.libelle, ''), coalesce(f.transition_eco, ''),
  coalesce(f.transition_num, false), coalesce(f.transition_demo, false)
FROM certif_info c
CROSS JOIN LATERAL (VALUES (1, c.rome_1), (2, c.rome_2), (3, c.rome_3), (4, c.rome_4), (5, c.rome_5)) AS r(rang, code)
LEFT JOIN rome_fiches f ON f.code_rome = r.code
LEFT JOIN rome_domaines d ON d.code = left(r.code, 3)
WHERE c.cfd IS NOT NULL AND r.code IS NOT NULL
ORDER BY c.cfd, c.etat <> '0', c.code_diplome, c.onisep, c.code_rs, r.rang`)
	if err != nil {
		return fmt.Errorf("métiers des formations : %w", err)
	}
	seen := map[string]bool{}
	var cfd string
	var m model.Metier
	if _, err := pgx.ForEachRow(rows, []any{&cfd, &m.CodeROME, &m.Libelle, &m.Domaine, &m.TransitionEco, &m.TransitionNum, &m.TransitionDemo}, func() error {
		fm := r.formationMetiers(cfd)
		if k := cfd + m.CodeROME; !seen[k] && m.Libelle != "" {
			seen[k] = true
			fm.Metiers = append(fm.Metiers, m)
		}
		m = model.Metier{}
		return nil
	}); err != nil {
		return fmt.Errorf("métiers des formations : %w", err)
	}
	rows, err = s.pool.Query(ctx, `
SELECT cfd,
  coalesce((array_agg(onisep ORDER BY etat <> '0', code_diplome) FILTER (WHERE onisep LIKE 'FOR.%'))[1], ''),
  coalesce((array_agg(rncp ORDER BY etat <> '0', code_diplome) FILTER (WHERE rncp IS NOT NULL))[1], '')
FROM certif_info WHERE cfd IS NOT NULL GROUP BY cfd`)
	if err != nil {
		return fmt.Errorf("liens Onisep et RNCP : %w", err)
	}
	var onisep, rncp string
	if _, err := pgx.ForEachRow(rows, []any{&cfd, &onisep, &rncp}, func() error {
		fm := r.formationMetiers(cfd)
		fm.Onisep, fm.OnisepURL = onisep, model.OnisepURL(onisep)
		fm.RNCP, fm.RNCPURL = rncp, model.RNCPURL(rncp)
		return nil
	}); err != nil {
		return fmt.Errorf("liens Onisep et RNCP : %w", err)
	}
	return nil
}

func (r *referentiel) formationMetiers(cfd string) *model.FormationMetiers {
	fm := r.metiers[cfd]
	if fm == nil {
		fm = &model.FormationMetiers{CertifInfo: true}
		r.metiers[cfd] = fm
	}
	return fm
}

// Metiers returns what Certif Info says of a CFD (an empty answer, with
// CertifInfo false, when the CFD is not in Certif Info).
func (s *Store) Metiers(ctx context.Context, cfd string) (model.FormationMetiers, error) {
	r, err := s.referentiel(ctx)
	if err != nil {
		return model.FormationMetiers{}, err
	}
	if fm, ok := r.metiers[cfd]; ok {
		return *fm, nil
	}
	return model.FormationMetiers{}, nil
}

// niveau is the readable label of a BCN level code ("" for "").
func (r *referentiel) niveau(code string) string {
	if n, ok := r.niveaux[code]; ok && n != "" {
		return n
	}
	return code
}

// name is the readable form of an establishment name or commune whose
// words arrive in capitals (model.ReadableName).
func (r *referentiel) name(s string) string { return model.ReadableName(s, r.lex) }

// address is the readable form of a postal address (model.ReadableAddress).
func (r *referentiel) address(s string) string { return model.ReadableAddress(s, r.lex) }

func appendUnique(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// loadCommunes reads the communes the annuaire and ACCE give
// establishments, per département of the UAI.
func (s *Store) loadCommunes(ctx context.Context, r *referentiel) error {
	r.communes = map[string]map[string]string{}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT uai, commune FROM etablissement_sources
WHERE commune IS NOT NULL AND commune <> '' AND source IN ('annuaire', 'acce')`)
	if err != nil {
		return fmt.Errorf("communes du référentiel : %w", err)
	}
	var uai, commune string
	_, err = pgx.ForEachRow(rows, []any{&uai, &commune}, func() error {
		dep := model.DepartementOfUAI(uai)
		m := r.communes[dep]
		if m == nil {
			m = map[string]string{}
			r.communes[dep] = m
		}
		k := model.CommuneKey(commune)
		if _, ok := m[k]; !ok || hasLowerRune(commune) {
			m[k] = commune
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("communes du référentiel : %w", err)
	}
	for _, m := range r.communes {
		for k, c := range m {
			m[k] = r.name(c)
		}
	}
	return nil
}

// identity is the readable name of an establishment and its commune: the
// commune its sources give, else the one its label ends with when that is
// a commune of its département (model.CommuneInLabel), else "".
func (r *referentiel) identity(uai, nom, commune string) (string, string) {
	if commune != "" {
		commune = r.name(commune)
	} else {
		commune = model.CommuneInLabel(nom, r.communes[model.DepartementOfUAI(uai)])
	}
	return r.name(nom), commune
}

func hasLowerRune(s string) bool {
	for _, c := range s {
		if unicode.IsLower(c) {
			return true
		}
	}
	return false
}

// LabelCoverage counts the InserJeunes formations (CFDs with figures,
// either voie, a MEFSTAT11 through its CFD) by the path their readable
// label took, and those with at least one métier.
func (s *Store) LabelCoverage(ctx context.Context) (model.LabelCoverage, error) {
	var c model.LabelCoverage
	ref, err := s.referentiel(ctx)
	if err != nil {
		return c, err
	}
	rows, err := s.pool.Query(ctx, `
WITH codes AS (
  SELECT DISTINCT code FROM ij_region_formation UNION SELECT DISTINCT code FROM ij_uai_formation
), cfds AS (
  SELECT DISTINCT CASE WHEN length(code) = 11 THEN cfd_of_mefstat11(code) ELSE code END AS cfd FROM codes
)
SELECT f.cfd, coalesce(f.libelle_long, f.libelle_court, '') FROM cfds JOIN bcn_formations f ON f.cfd = cfds.cfd`)
	if err != nil {
		return c, fmt.Errorf("couverture des libellés : %w", err)
	}
	var cfd, lib string
	_, err = pgx.ForEachRow(rows, []any{&cfd, &lib}, func() error {
		if model.IsPlaceholderFormation(lib) {
			return nil
		}
		c.Formations++
		switch _, src := model.ReadableFormationLabel(lib, ref.certif[cfd], ref.lex); src {
		case model.LabelCertifInfo:
			c.CertifInfo++
		case model.LabelLexicon:
			c.Lexique++
		default:
			c.Inchanges++
		}
		if fm := ref.metiers[cfd]; fm != nil && len(fm.Metiers) > 0 {
			c.AvecMetier++
		}
		return nil
	})
	return c, err
}

// closedOn is the BCN closing date (ISO day) of a formation that is closed
// at now, nil otherwise.
func closedOn(fermeture *time.Time, now time.Time) *string {
	if !model.FormationFermee(fermeture, now) {
		return nil
	}
	d := fermeture.Format(model.DateLayout)
	return &d
}
