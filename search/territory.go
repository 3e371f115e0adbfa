package search

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Territory levels of the cards, in the order they are shown.
const (
	NiveauCommune     = "commune"
	NiveauDepartement = "departement"
	NiveauAcademie    = "academie"
	NiveauRegion      = "region"
)

// TerritoryCard is a territory the query names: a commune, a département,
// an académie or a région, shown above the results. The territories are
// those of the indexed establishments.
type TerritoryCard struct {
	Niveau string `json:"niveau"` // commune, departement, academie, region
	// Code is the INSEE or academic code; a commune's name (the
	// referentials give no commune code).
	Code string `json:"code"`
	Nom  string `json:"nom"`
	// URL is the page of the territory (académie, région); "" for a
	// commune or a département, whose card links to their académie and
	// région.
	URL         string            `json:"url,omitempty"`
	Departement *model.Territoire `json:"departement,omitempty"`
	Academie    *model.Territoire `json:"academie,omitempty"`
	Region      *model.Territoire `json:"region,omitempty"`
	// NbEtablissements is the number of establishments with figures there.
	NbEtablissements int `json:"nb_etablissements"`
}

// Key is « niveau:code ».
func (t TerritoryCard) Key() string { return t.Niveau + ":" + t.Code }

// NiveauLabel is the French name of the level.
func (t TerritoryCard) NiveauLabel() string {
	switch t.Niveau {
	case NiveauCommune:
		return "Commune"
	case NiveauDepartement:
		return "Département"
	case NiveauAcademie:
		return "Académie"
	case NiveauRegion:
		return "Région"
	}
	return t.Niveau
}

func niveauOrder(n string) int {
	switch n {
	case NiveauCommune:
		return 0
	case NiveauDepartement:
		return 1
	case NiveauAcademie:
		return 2
	}
	return 3
}

// territories collects the territory cards of the indexed establishments.
type territories map[string]*TerritoryCard

func (ts territories) collect(d *Document) {
	if d.Objet != KindEtablissement {
		return
	}
	add := func(niveau, code, nom, u string, fill func(*TerritoryCard)) {
		if code == "" || nom == "" {
			return
		}
		k := niveau + ":" + code
		if niveau == NiveauCommune && d.Departement != nil {
			k += "|" + d.Departement.Code // two communes of one name stay two cards
		}
		c := ts[k]
		if c == nil {
			c = &TerritoryCard{Niveau: niveau, Code: code, Nom: nom, URL: u}
			if fill != nil {
				fill(c)
			}
			ts[k] = c
		}
		c.NbEtablissements++
	}
	up := func(c *TerritoryCard, dep bool) {
		if dep && d.Departement != nil {
			t := *d.Departement
			c.Departement = &t
		}
		if d.Academie != nil && d.Academie.Code != "" {
			t := *d.Academie
			c.Academie = &t
		}
		if d.Region != nil && d.Region.Code != "" {
			t := *d.Region
			c.Region = &t
		}
	}
	add(NiveauCommune, d.Commune, d.Commune, "", func(c *TerritoryCard) { up(c, true) })
	if d.Departement != nil {
		add(NiveauDepartement, d.Departement.Code, d.Departement.Nom, "", func(c *TerritoryCard) { up(c, false) })
	}
	if d.Academie != nil {
		add(NiveauAcademie, d.Academie.Code, d.Academie.Nom, "/academies/"+url.PathEscape(d.Academie.Code), func(c *TerritoryCard) {
			if d.Region != nil && d.Region.Code != "" {
				t := *d.Region
				c.Region = &t
			}
		})
	}
	if d.Region != nil {
		add(NiveauRegion, d.Region.Code, d.Region.Nom, "/regions/"+url.PathEscape(d.Region.Code), nil)
	}
}

func (ts territories) marshal() []byte {
	list := make([]*TerritoryCard, 0, len(ts))
	for _, c := range ts {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Key() < list[j].Key() })
	b, _ := json.Marshal(list)
	return b
}

// territoryMatcher finds the territories a query names: the analysed
// words of a territory's name, in order, inside the query's words.
type territoryMatcher struct {
	byWords map[string][]TerritoryCard
	longest int
}

func (h *handle) loadTerritories(b []byte) error {
	var list []TerritoryCard
	if len(b) > 0 {
		if err := json.Unmarshal(b, &list); err != nil {
			return fmt.Errorf("index : territoires illisibles : %w", err)
		}
	}
	m := &territoryMatcher{byWords: map[string][]TerritoryCard{}}
	for _, c := range list {
		w := h.terms(c.Nom)
		if len(w) == 0 {
			continue
		}
		k := strings.Join(w, " ")
		m.byWords[k] = append(m.byWords[k], c)
		m.longest = max(m.longest, len(w))
	}
	h.territories = m
	return nil
}

// levelWords in a query put that level's cards first (« académie de
// rennes »); they are not part of territory names.
var levelWords = map[string]string{
	"commune": NiveauCommune, "ville": NiveauCommune,
	"departement": NiveauDepartement, "dept": NiveauDepartement,
	"academie": NiveauAcademie, "region": NiveauRegion,
}

// maxTerritoryCards bounds the cards above the results.
const maxTerritoryCards = 4

// match returns the cards of the territories the terms name: longest
// names first, then the level the query names, then commune, département,
// académie, région; more establishments first among communes of one name.
func (m *territoryMatcher) match(terms []string) []TerritoryCard {
	if m == nil || len(terms) == 0 {
		return nil
	}
	want := ""
	var words []string
	for _, t := range terms {
		if n, ok := levelWords[t]; ok {
			want = n
			continue
		}
		words = append(words, t)
	}
	type found struct {
		c   TerritoryCard
		len int
	}
	var out []found
	seen := map[string]bool{}
	for i := range words {
		for j := i + 1; j <= len(words) && j-i <= m.longest; j++ {
			for _, c := range m.byWords[strings.Join(words[i:j], " ")] {
				k := c.Key()
				if c.Departement != nil {
					k += "|" + c.Departement.Code
				}
				if !seen[k] {
					seen[k] = true
					out = append(out, found{c, j - i})
				}
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.len != y.len {
			return x.len > y.len
		}
		if (x.c.Niveau == want) != (y.c.Niveau == want) {
			return x.c.Niveau == want
		}
		if niveauOrder(x.c.Niveau) != niveauOrder(y.c.Niveau) {
			return niveauOrder(x.c.Niveau) < niveauOrder(y.c.Niveau)
		}
		return x.c.NbEtablissements > y.c.NbEtablissements
	})
	var cards []TerritoryCard
	for _, f := range out {
		if len(cards) == maxTerritoryCards {
			break
		}
		cards = append(cards, f.c)
	}
	return cards
}
