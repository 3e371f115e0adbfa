package search

// TerritoryCard is a territory the query names: a commune, a département,
// an académie or a région, shown above the results.
type TerritoryCard struct {
	Niveau string `json:"niveau"` // commune, departement, academie, region
	Code   string `json:"code"`
	Nom    string `json:"nom"`
}

// Key is « niveau:code » (a commune has no code of ours: its name).
func (t TerritoryCard) Key() string { return t.Niveau + ":" + t.Code }
