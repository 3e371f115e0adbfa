package model

import (
	"strings"
	"sync"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Region is a French région with its INSEE code.
type Region struct {
	Code string // INSEE, e.g. "11"
	Nom  string
	IJ   string // InserJeunes API code (01–18), "" when none
}

// Regions lists the current régions (INSEE codes) with their InserJeunes API codes.
var regions = []Region{
	{"01", "Guadeloupe", "07"},
	{"02", "Martinique", "12"},
	{"03", "Guyane", "08"},
	{"04", "La Réunion", "11"},
	{"06", "Mayotte", ""},
	{"11", "Île-de-France", "10"},
	{"24", "Centre-Val de Loire", "04"},
	{"27", "Bourgogne-Franche-Comté", "02"},
	{"28", "Normandie", "14"},
	{"32", "Hauts-de-France", "09"},
	{"44", "Grand Est", "06"},
	{"52", "Pays de la Loire", "17"},
	{"53", "Bretagne", "03"},
	{"75", "Nouvelle-Aquitaine", "15"},
	{"76", "Occitanie", "16"},
	{"84", "Auvergne-Rhône-Alpes", "01"},
	{"93", "Provence-Alpes-Côte d'Azur", "18"},
	{"94", "Corse", "05"},
}

// AllRegions returns a copy of the région table.
func AllRegions() []Region { return append([]Region(nil), regions...) }

// RegionByCode returns the région of an INSEE code.
func RegionByCode(code string) (Region, bool) {
	for _, r := range regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// RegionByIJCode maps an InserJeunes API région code to the région.
func RegionByIJCode(code string) (Region, bool) {
	for _, r := range regions {
		if r.IJ != "" && r.IJ == code {
			return r, true
		}
	}
	return Region{}, false
}

// RegionByLabel maps a région label as InserJeunes writes it
// ("PROVENCE-ALPES-COTE D'AZUR", "LA REUNION") or any accent/case variant.
func RegionByLabel(label string) (Region, bool) {
	if r, ok := regionByFolded[label]; ok { // fast path: the exact spelling seen before
		return r, true
	}
	r, ok := regionByFolded[foldLabel(label)]
	return r, ok
}

// regionByFolded maps folded labels (and the InserJeunes upper-case
// spellings) to régions.
var regionByFolded = func() map[string]Region {
	m := map[string]Region{}
	for _, r := range regions {
		f := foldLabel(r.Nom)
		m[f] = r
		m[strings.ToUpper(f)] = r
	}
	return m
}()

// Fold removes accents and lower-cases s ("Sète" → "sete"); used for
// label matching and search keys.
//
// It sorts and groups the long tables of the pages (one call per row): an
// ASCII string has no accent to remove (its NFD is itself), and the
// transformer chain, a few kilobytes of buffers, is reused (foldChains).
func Fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	t := foldChains.Get().(transform.Transformer)
	out, _, err := transform.String(t, s) // resets t
	foldChains.Put(t)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// foldChains are the transformers of Fold (a chain is stateful: one per
// goroutine at a time).
var foldChains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicodeMn)), norm.NFC)
}}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func foldLabel(s string) string {
	f := Fold(strings.TrimSpace(s))
	f = strings.NewReplacer("’", "'", "–", "-", "—", "-").Replace(f)
	return strings.Join(strings.Fields(f), " ")
}

// DepartementNumero is the number of a département as people write it,
// from its 3-character referential code: "001" → "01", "035" → "35",
// "02A" → "2A", "971" → "971". Other codes are returned as given.
func DepartementNumero(code string) string {
	if len(code) == 3 && code[0] == '0' {
		return code[1:]
	}
	return code
}
