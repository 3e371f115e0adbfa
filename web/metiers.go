package web

import (
	"fmt"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// metiersBlock is what views/partials/metiers.html shows of the métiers of
// a formation.
type metiersBlock struct {
	Metiers            []metierItem
	Absent             string // why no métier is listed
	More, MoreURL      string // brief list: the link to the whole list
	OnisepURL, RNCPURL string
	RNCP               string
}

type metierItem struct {
	Code, Libelle, Domaine, URL string
	Flags                       []string
}

// briefMetiers is how many métiers the establishment × formation page shows.
const briefMetiers = 3

// newMetiersBlock builds the block of a formation; nil for a formation the
// BCN does not know or an InserSup diploma (no CFD, so no Certif Info).
// brief keeps the first métiers and links the formation page for the rest.
func newMetiersBlock(fm model.Formation, brief bool) *metiersBlock {
	m := fm.Metiers
	if m == nil {
		return nil
	}
	b := &metiersBlock{OnisepURL: m.OnisepURL, RNCPURL: m.RNCPURL, RNCP: m.RNCP}
	switch {
	case !m.CertifInfo:
		b.Absent = "Certif Info ne connaît pas ce diplôme (code " + fm.CFD + ") : aucun métier ne lui est rattaché ici."
	case len(m.Metiers) == 0:
		b.Absent = "Certif Info ne rattache ce diplôme à aucune fiche métier du ROME."
	}
	list := m.Metiers
	if brief && len(list) > briefMetiers {
		b.More = fmt.Sprintf("Les %d métiers visés sur la page de la formation", len(list))
		b.MoreURL = "/formations/" + fm.Code + "#metiers"
		list = list[:briefMetiers]
	}
	for _, x := range list {
		it := metierItem{Code: x.CodeROME, Libelle: x.Libelle, Domaine: x.Domaine, URL: model.ROMEURL(x.CodeROME)}
		if x.TransitionEco != "" {
			it.Flags = append(it.Flags, "Transition écologique")
		}
		if x.TransitionNum {
			it.Flags = append(it.Flags, "Transition numérique")
		}
		if x.TransitionDemo {
			it.Flags = append(it.Flags, "Transition démographique")
		}
		b.Metiers = append(b.Metiers, it)
	}
	return b
}
