package model

import "sort"

// Continuum directions: where borrowed figures come from.
const (
	SensAncien  = "ancien"  // the formation's predecessor (older diploma)
	SensNouveau = "nouveau" // the formation's successor (renovated diploma)
)

// SourceContinuum says that a figure is borrowed from the 1:1 predecessor
// or successor of the formation (DESIGN §3.6).
type SourceContinuum struct {
	Code    string `json:"code"`
	Libelle string `json:"libelle"`
	Sens    string `json:"sens"`
}

// Phrase is the French sentence a page shows beside a borrowed figure.
func (s SourceContinuum) Phrase() string {
	lib := s.Code
	if s.Libelle != "" {
		lib = s.Libelle + " (" + s.Code + ")"
	}
	if s.Sens == SensNouveau {
		return "chiffres issus du nouveau diplôme " + lib
	}
	return "chiffres issus de l'ancien diplôme " + lib
}

// DiplomaLink is one old → new declaration of BCN N_FORMATION_DIPLOME
// (ANCIEN_DIPLOME_n / NOUVEAU_DIPLOME_n), both sides merged.
type DiplomaLink struct {
	Ancien, Nouveau string
}

// Continuum is the old ↔ new graph of diplomas. Links declared on one side
// only are repaired: every declaration counts for both ends.
type Continuum struct {
	anciens  map[string][]string // code → its predecessors
	nouveaux map[string][]string // code → its successors
}

// NewContinuum builds the graph; self-links and duplicates are ignored.
func NewContinuum(links []DiplomaLink) *Continuum {
	c := &Continuum{anciens: map[string][]string{}, nouveaux: map[string][]string{}}
	seen := map[DiplomaLink]bool{}
	for _, l := range links {
		if l.Ancien == "" || l.Nouveau == "" || l.Ancien == l.Nouveau || seen[l] {
			continue
		}
		seen[l] = true
		c.anciens[l.Nouveau] = append(c.anciens[l.Nouveau], l.Ancien)
		c.nouveaux[l.Ancien] = append(c.nouveaux[l.Ancien], l.Nouveau)
	}
	for _, m := range []map[string][]string{c.anciens, c.nouveaux} {
		for _, v := range m {
			sort.Strings(v)
		}
	}
	return c
}

// Anciens returns the predecessors of code, sorted.
func (c *Continuum) Anciens(code string) []string { return c.anciens[code] }

// Nouveaux returns the successors of code, sorted.
func (c *Continuum) Nouveaux(code string) []string { return c.nouveaux[code] }

// Predecessor returns the 1:1 predecessor of code: its only predecessor,
// whose only successor is code. Splits and merges carry no figures.
func (c *Continuum) Predecessor(code string) (string, bool) {
	a := c.anciens[code]
	if len(a) != 1 || len(c.nouveaux[a[0]]) != 1 {
		return "", false
	}
	return a[0], true
}

// Successor returns the 1:1 successor of code.
func (c *Continuum) Successor(code string) (string, bool) {
	n := c.nouveaux[code]
	if len(n) != 1 || len(c.anciens[n[0]]) != 1 {
		return "", false
	}
	return n[0], true
}

// OneToOne reports whether the link ancien → nouveau is 1:1.
func (c *Continuum) OneToOne(ancien, nouveau string) bool {
	p, ok := c.Predecessor(nouveau)
	return ok && p == ancien
}

// ChooseContinuum decides whose figures a formation shows for one
// millésime (and level): its own when it has them (they always win), else
// its 1:1 predecessor's, else its 1:1 successor's. sens is "" for own
// figures; ok is false when nobody has any.
func ChooseContinuum(own, predecessor, successor bool) (sens string, ok bool) {
	switch {
	case own:
		return "", true
	case predecessor:
		return SensAncien, true
	case successor:
		return SensNouveau, true
	}
	return "", false
}
