package search

import (
	"strings"
	"unicode"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Sigles are the acronyms a label answers to, derived from the label
// itself (no hand-written list): the initials of its words, stop words
// left out, up to the option, the parenthesis or the level (« MANAGEMENT
// COMMERCIAL OPERATIONNEL (BTS) » → mco; « METIERS DU COMMERCE ET DE LA
// VENTE OPTION A … » → mcv, and mcva with the option letter), and the
// initials of the whole label when it has an option. Folded, 2 to 8
// letters; a word with digits ends the base (« … BTS 1ERE ANNEE »).
func Sigles(label, niveau string) []string {
	f := model.Fold(label)
	if i := strings.IndexByte(f, '('); i >= 0 {
		f = f[:i]
	}
	words := strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	lvl := map[string]bool{}
	for _, w := range strings.Fields(model.Fold(niveau)) {
		lvl[w] = true
	}
	var base, all []byte
	var option byte
	inBase := true
	for i, w := range words {
		if stopWord[w] {
			continue
		}
		if w == "option" || w == "options" || w == "opt" || w == "specialite" || w == "spe" || lvl[w] || strings.ContainsAny(w, "0123456789") {
			if inBase && (w == "option" || w == "options") && i+1 < len(words) && len(words[i+1]) == 1 {
				option = words[i+1][0]
			}
			inBase = false
			if w == "option" || w == "options" || w == "opt" {
				continue
			}
			if lvl[w] || strings.ContainsAny(w, "0123456789") {
				break
			}
		}
		if inBase {
			base = append(base, w[0])
		}
		all = append(all, w[0])
	}
	var out []string
	add := func(s []byte) {
		if len(s) < 2 || len(s) > 8 {
			return
		}
		for _, o := range out {
			if o == string(s) {
				return
			}
		}
		out = append(out, string(s))
	}
	add(base)
	if option != 0 {
		add(append(append([]byte{}, base...), option))
	}
	if len(all) > len(base) {
		add(all)
	}
	return out
}

var stopWord = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range stopWords {
		m[w] = true
	}
	return m
}()
