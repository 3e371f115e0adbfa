package model

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Readable labels (issue 9). The BCN writes formation titles in upper case
// without accents (« MAINTENANCE DES VEHICULES OPTION A VOITURES
// PARTICULIERES (BAC PRO) »); the site shows them as a person writes them
// (« Maintenance des véhicules option A voitures particulières (BAC PRO) »).
// One rule, in this order:
//
//  1. Certif Info: when the CFD has a Certif Info label whose words contain
//     the BCN title's words in the same order (« CAP cuisine » for
//     « CUISINE »), the title is that part of the Certif Info label, with
//     its case, accents and punctuation.
//  2. Otherwise the BCN title in sentence case, each word spelt as the
//     mixed-case labels of the data spell it most often (the Lexicon: Certif
//     Info, ROME, establishment names). A word the lexicon writes in
//     capitals (CAP, BTS, MC, CCI) and a roman numeral (II, IV) stay in
//     capitals; so does the letter after « option ».
//
// The BCN's trailing parentheses (« (CAP) », « (MC AU CAP) ») are the
// diploma type and stay, their words restored the same way.

// LabelSource says which path made a readable label.
type LabelSource int

// unknownWord is what becomes of a word in capitals the lexicon does not
// know.
type unknownWord int

const (
	unknownLower      unknownWord = iota // a title's word
	unknownCapitalise                    // a proper noun (names, addresses)
	unknownKeep                          // an abbreviation (« (ESTIA) »)
	// unknownProperOrAcronym: in the trailing parentheses, which name
	// bodies and places (« (CCI ROUEN METROPOLE) », « (ESTIA) »): up to
	// three letters an acronym, longer a proper noun.
	unknownProperOrAcronym
)

const (
	LabelUnchanged  LabelSource = iota // the label was not in capitals
	LabelCertifInfo                    // part of the Certif Info label
	LabelLexicon                       // sentence case with the lexicon's spellings
)

// Lexicon is the spelling of words as the mixed-case labels of the data
// write them: for each folded word (lower case, no accent), the count of
// each written form.
type Lexicon struct {
	forms map[string]map[string]int
	best  map[string]string
}

// NewLexicon returns an empty lexicon.
func NewLexicon() *Lexicon {
	return &Lexicon{forms: map[string]map[string]int{}}
}

// Add records the words of a mixed-case text. A text with no lower-case
// letter says nothing about spelling and is skipped. The first word, when
// merely capitalised (« Bac pro … »), counts in lower case.
func (l *Lexicon) Add(text string) {
	if !hasLower(text) {
		return
	}
	l.best = nil
	for i, t := range tokens(text) {
		w := text[t[0]:t[1]]
		if i == 0 && isCapitalised(w) {
			w = strings.ToLower(w)
		}
		k := foldWord(w)
		m := l.forms[k]
		if m == nil {
			m = map[string]int{}
			l.forms[k] = m
		}
		m[w]++
	}
}

// Len is the number of distinct folded words.
func (l *Lexicon) Len() int { return len(l.forms) }

// Spelling returns the most frequent written form of a word (any case),
// and whether the lexicon knows it. Ties go to the form with more accents,
// then to the lower-case form.
func (l *Lexicon) Spelling(word string) (string, bool) {
	if l == nil {
		return "", false
	}
	if l.best == nil {
		l.best = make(map[string]string, len(l.forms))
		for k, m := range l.forms {
			forms := make([]string, 0, len(m))
			for f := range m {
				forms = append(forms, f)
			}
			sort.Slice(forms, func(i, j int) bool {
				a, b := forms[i], forms[j]
				if m[a] != m[b] {
					return m[a] > m[b]
				}
				if na, nb := nonASCII(a), nonASCII(b); na != nb {
					return na > nb
				}
				return a > b // lower case sorts after upper case
			})
			l.best[k] = forms[0]
		}
	}
	k := foldWord(word)
	if f, ok := l.best[k]; ok {
		return f, true
	}
	// A plural the labels only write in the singular (« diplômes »).
	if n := len(k); n > 3 && (k[n-1] == 's' || k[n-1] == 'x') {
		if f, ok := l.best[k[:n-1]]; ok && !isUpperWord(f) {
			return f + k[n-1:], true
		}
	}
	return "", false
}

// foldWord is Fold for one word, without the cost of a transformer for
// the Latin letters (a table made from Fold itself).
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range w {
		if r < utf8.RuneSelf {
			b.WriteRune(unicode.ToLower(r))
		} else if r < rune(len(latinFold)) && latinFold[r] != "" {
			b.WriteString(latinFold[r])
		} else {
			return Fold(w)
		}
	}
	return b.String()
}

// latinFold is Fold of each character of U+0080–U+024F.
var latinFold = func() (t [0x250]string) {
	for r := rune(0x80); r < 0x250; r++ {
		t[r] = Fold(string(r))
	}
	return t
}()

// ReadableFormationLabel is the readable form of a BCN formation label
// (rule above): certif is the Certif Info label of its CFD ("" when none
// or ambiguous).
func ReadableFormationLabel(bcn, certif string, lex *Lexicon) (string, LabelSource) {
	bcn = strings.Join(strings.Fields(bcn), " ")
	if bcn == "" || hasLower(bcn) {
		return bcn, LabelUnchanged
	}
	main, tail := splitTrailingParens(bcn)
	if tailHasWords(tail) {
		// « (MC AU CAP) », « (BP DEPARTEMENTAL) »: words; « (CAP) »,
		// « (BAC PRO) » are abbreviations and stay in capitals.
		tail = restoreTail(tail, lex)
	}
	if certif != "" {
		if s, ok := certifSlice(main, certif); ok {
			return joinTail(upperFirst(s), tail), LabelCertifInfo
		}
	}
	return joinTail(upperFirst(restoreWords(main, lex, unknownLower)), tail), LabelLexicon
}

// ReadableName is the readable form of an establishment name, an address
// or a commune that arrives in capitals (« LYCEE PROFESSIONNEL JEAN MOULIN »,
// « 223 rue ALEXANDRE BERARD »): each word in capitals is spelt as the
// lexicon spells it, a word it does not know is a proper noun
// (capitalised); the first letter is a capital. A text already in mixed
// case keeps its words that are not in capitals, and the words in
// capitals the lexicon does not know (« CFA CECOF BERNARD PALISSY » in
// « Centre de formation d'apprentis CECOF … » may be an acronym).
func ReadableName(s string, lex *Lexicon) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return s
	}
	if hasLower(s) {
		return restoreWords(s, lex, unknownKeep)
	}
	return upperFirst(restoreWords(s, lex, unknownCapitalise))
}

// ReadableAddress is ReadableName for a postal address, where the words in
// capitals are street names (« 223 rue ALEXANDRE BERARD »): a word the
// lexicon does not know is capitalised even in a mixed-case address.
func ReadableAddress(s string, lex *Lexicon) string {
	s = strings.Join(strings.Fields(s), " ")
	return upperFirst(restoreWords(s, lex, unknownCapitalise))
}

// restoreWords rewrites the words in capitals of s.
func restoreWords(s string, lex *Lexicon, unknown unknownWord) string {
	toks := tokens(s)
	var b strings.Builder
	last := 0
	prev := ""
	for _, t := range toks {
		w := s[t[0]:t[1]]
		b.WriteString(s[last:t[0]])
		last = t[1]
		b.WriteString(restoreWord(w, prev, lex, unknown))
		prev = foldWord(w)
	}
	b.WriteString(s[last:])
	return b.String()
}

func restoreWord(w, prev string, lex *Lexicon, unknown unknownWord) string {
	if hasLower(w) || !hasLetter(w) {
		return w
	}
	n := utf8.RuneCountInString(w)
	if n >= 2 && isRoman(w) || n == 1 && (prev == "option" || prev == "opt") {
		return w
	}
	if f, ok := lex.Spelling(w); ok {
		switch {
		case isUpperWord(f):
			return f // an acronym as the data writes it (CAP, BTS, CCI)
		case isCapitalised(f):
			return f // a proper noun (Jean, Rennes, Etat)
		}
		return strings.ToLower(f)
	}
	switch {
	case unknown == unknownKeep:
		return w
	case (unknown == unknownCapitalise || unknown == unknownProperOrAcronym) && n <= 3:
		return w // an acronym of a name (CFA, IUT, MFR)
	case unknown == unknownCapitalise:
		return capitalise(w)
	case unknown == unknownProperOrAcronym:
		if n <= 5 && !strings.ContainsAny(strings.ToLower(w), "aeiouy") {
			return w
		}
		return capitalise(w)
	}
	return strings.ToLower(w)
}

// certifSlice finds the words of main, in order and contiguous, among the
// words of certif (folded), and returns that part of certif.
func certifSlice(main, certif string) (string, bool) {
	mt, ct := tokens(main), tokens(certif)
	if len(mt) == 0 || len(mt) > len(ct) {
		return "", false
	}
	mf := make([]string, len(mt))
	for i, t := range mt {
		mf[i] = foldWord(main[t[0]:t[1]])
	}
	cf := make([]string, len(ct))
	for i, t := range ct {
		cf[i] = foldWord(certif[t[0]:t[1]])
	}
	for start := 0; start+len(mf) <= len(cf); start++ {
		ok := true
		for i := range mf {
			if cf[start+i] != mf[i] {
				ok = false
				break
			}
		}
		if ok {
			end := ct[start+len(mf)-1][1]
			// Keep a closing parenthesis or quote the slice opened.
			s := certif[ct[start][0]:end]
			if strings.Count(s, "(") > strings.Count(s, ")") && end < len(certif) && certif[end] == ')' {
				s += ")"
			}
			return s, true
		}
	}
	return "", false
}

// splitTrailingParens cuts « CUISINE (CAP) » into « CUISINE » and « (CAP) »
// (every trailing parenthesised group).
func splitTrailingParens(s string) (main, tail string) {
	main = s
	for {
		t := strings.TrimRight(main, " ")
		if !strings.HasSuffix(t, ")") {
			break
		}
		depth, open := 0, -1
		for i := len(t) - 1; i >= 0; i-- {
			if t[i] == ')' {
				depth++
			} else if t[i] == '(' {
				depth--
				if depth == 0 {
					open = i
					break
				}
			}
		}
		if open <= 0 {
			break
		}
		main = strings.TrimRight(t[:open], " ")
	}
	return main, strings.TrimSpace(s[len(main):])
}

// restoreTail restores each parenthesised group of the tail: a lone word
// the lexicon does not know is an acronym or a brand (« (ESTIA) »,
// « (UNICEM) ») and stays; in a group of several words it is a proper noun
// (« (CCI Rouen métropole) »).
func restoreTail(tail string, lex *Lexicon) string {
	var b strings.Builder
	for tail != "" {
		i := strings.IndexByte(tail, ')')
		group := tail
		if i >= 0 {
			group = tail[:i+1]
		}
		mode := unknownProperOrAcronym
		if len(tokens(group)) == 1 {
			mode = unknownKeep
		}
		b.WriteString(restoreWords(group, lex, mode))
		tail = tail[len(group):]
	}
	return b.String()
}

// tailHasWords: the trailing parentheses hold words rather than
// abbreviations: more than two words, or a word of four letters or more.
func tailHasWords(tail string) bool {
	ts := tokens(tail)
	if len(ts) > 2 {
		return true
	}
	for _, t := range ts {
		if utf8.RuneCountInString(tail[t[0]:t[1]]) >= 4 {
			return true
		}
	}
	return false
}

func joinTail(main, tail string) string {
	if tail == "" {
		return main
	}
	if main == "" {
		return tail
	}
	return main + " " + tail
}

// tokens returns the [start, end) byte offsets of the words of s: runs of
// letters and digits.
func tokens(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func isUpperWord(s string) bool { return hasLetter(s) && !hasLower(s) }

// isCapitalised: an upper-case letter followed by at least one lower-case
// letter and nothing in upper case (« Bac », « Jean »).
func isCapitalised(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) && n < len(s) && !hasUpperIn(s[n:]) && hasLower(s[n:])
}

func hasUpperIn(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

func capitalise(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + strings.ToLower(w[n:])
}

func upperFirst(s string) string {
	for i, r := range s {
		if unicode.IsLetter(r) {
			return s[:i] + string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
		}
		if unicode.IsDigit(r) {
			return s
		}
	}
	return s
}

func nonASCII(s string) int {
	n := 0
	for _, r := range s {
		if r > 127 {
			n++
		}
	}
	return n
}

// isRoman reports whether w is a roman numeral from I to XXXIX.
func isRoman(w string) bool {
	if w == "" {
		return false
	}
	s := strings.TrimLeft(w, "X")
	if len(w)-len(s) > 3 {
		return false
	}
	switch s {
	case "", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX":
		return true
	}
	return false
}

// CommuneKey is the form under which commune names are compared: folded,
// hyphens and apostrophes as spaces (« Ambérieu-en-Bugey » and « AMBERIEU
// EN BUGEY » meet).
func CommuneKey(s string) string {
	f := Fold(s)
	f = strings.Map(func(r rune) rune {
		if r == '-' || r == '\'' || r == '’' {
			return ' '
		}
		return r
	}, f)
	return strings.Join(strings.Fields(f), " ")
}

// CommuneInLabel returns the commune an establishment label ends with
// (« … CFA BTP RENNES » → Rennes), looked up among the communes of its
// département (CommuneKey → name): the longest ending of up to six words
// that is a commune, and never the whole label. "" when none.
func CommuneInLabel(label string, communes map[string]string) string {
	if len(communes) == 0 {
		return ""
	}
	words := strings.Fields(CommuneKey(label))
	for n := min(6, len(words)-1); n >= 1; n-- {
		if c, ok := communes[strings.Join(words[len(words)-n:], " ")]; ok {
			return c
		}
	}
	return ""
}

// FermeeEn is « fermée en 2024 » for a BCN closing date (ISO day), "" when
// none.
func FermeeEn(fermeture *string) string {
	if fermeture == nil || len(*fermeture) < 4 {
		return ""
	}
	return "fermée en " + (*fermeture)[:4]
}

// SameLabel is one formation of a list, as DistinctLabels tells it apart.
type SameLabel struct {
	Libelle string
	Code    string
	// Fermeture is the BCN closing date (ISO day) when closed.
	Fermeture *string
}

// DistinctLabels returns the label each formation of a list shows: its
// label when no other formation of the list has the same one; else the
// label followed by its code and, when closed, « fermée en 2024 »
// (« Cuisine (CAP) — 50022139, fermée en 2024 » beside « Cuisine (CAP) —
// 50022146 »).
func DistinctLabels(list []SameLabel) []string {
	codes := map[string]map[string]bool{} // label → its codes (a formation may be listed once per voie)
	folded := make([]string, len(list))
	for i, f := range list {
		k := Fold(f.Libelle)
		folded[i] = k
		if codes[k] == nil {
			codes[k] = map[string]bool{}
		}
		codes[k][f.Code] = true
	}
	out := make([]string, len(list))
	for i, f := range list {
		out[i] = f.Libelle
		if len(codes[folded[i]]) < 2 || f.Libelle == "" {
			if s := FermeeEn(f.Fermeture); s != "" {
				out[i] += " (" + s + ")"
			}
			continue
		}
		out[i] += " — " + f.Code
		if s := FermeeEn(f.Fermeture); s != "" {
			out[i] += ", " + s
		}
	}
	return out
}
