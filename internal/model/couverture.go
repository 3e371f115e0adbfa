package model

import (
	"fmt"
	"slices"
	"strings"
)

// Coverage of a partner's catalogue (issue 12, item 2): for each row
// (UAI × formation code) of a catalogue, whether the site holds a figure
// for it, and through which stage of the mission's staged story (« direct
// → avec le continuum → avec la correspondance des codes → autre UAI »),
// or why not. CoverageCandidates says where a row's figures may be found,
// stage by stage; Cover decides the outcome from what the warehouse holds
// there (the statut each figure got from Disclose: the secret statistique
// decides what « couvert » means, nothing else).

// Outcomes of a catalogue row.
const (
	CouvCouvert         = "couvert"
	CouvContinuum       = "couvert_continuum"
	CouvAutreCode       = "couvert_autre_code"
	CouvAutreUAI        = "couvert_autre_uai"
	CouvSousSeuil       = "sous_seuil"
	CouvUAIInconnu      = "uai_inconnu"
	CouvCodeInconnu     = "code_inconnu"
	CouvNonDispensee    = "non_dispensee"
	CouvMillesimeAbsent = "millesime_absent"
)

// CoverageOutcomes lists every outcome, covered ones first in stage order.
func CoverageOutcomes() []string {
	return []string{CouvCouvert, CouvContinuum, CouvAutreCode, CouvAutreUAI, CouvSousSeuil,
		CouvMillesimeAbsent, CouvNonDispensee, CouvCodeInconnu, CouvUAIInconnu}
}

// Stages of the staged story; a covered outcome belongs to one.
const (
	StageDirect    = 1 // the row's own UAI and code
	StageContinuum = 2 // the 1:1 predecessor or successor (DESIGN §3.6)
	StageAutreCode = 3 // MEFSTAT11 ↔ CFD, the twin of the other voie
	StageAutreUAI  = 4 // another UAI of the same establishment
	NbStages       = 4
)

// CoverageStageOf returns the stage of a covered outcome, 0 otherwise.
func CoverageStageOf(outcome string) int {
	switch outcome {
	case CouvCouvert:
		return StageDirect
	case CouvContinuum:
		return StageContinuum
	case CouvAutreCode:
		return StageAutreCode
	case CouvAutreUAI:
		return StageAutreUAI
	}
	return 0
}

// CoverageStageLabel names a stage as the summary tells it.
func CoverageStageLabel(stage int) string {
	switch stage {
	case StageDirect:
		return "Correspondance directe (UAI et code tels que saisis)"
	case StageContinuum:
		return "Avec le continuum (ancien ou nouveau diplôme, lien 1 pour 1)"
	case StageAutreCode:
		return "Avec la correspondance des codes (MEFSTAT11 ↔ CFD, scolaire ↔ apprentissage)"
	case StageAutreUAI:
		return "Avec un autre UAI du même établissement"
	}
	return ""
}

// CoverageOutcomeLabel is the short French label of an outcome.
func CoverageOutcomeLabel(o string) string {
	switch o {
	case CouvCouvert:
		return "Couvert"
	case CouvContinuum:
		return "Couvert par le continuum"
	case CouvAutreCode:
		return "Couvert par un autre code"
	case CouvAutreUAI:
		return "Couvert par un autre UAI"
	case CouvSousSeuil:
		return "Sous le seuil de diffusion"
	case CouvUAIInconnu:
		return "UAI inconnu"
	case CouvCodeInconnu:
		return "Code inconnu"
	case CouvNonDispensee:
		return "Formation non dispensée (aucun chiffre)"
	case CouvMillesimeAbsent:
		return "Pas de chiffre pour ce millésime"
	}
	return o
}

// IsCovered reports whether an outcome counts as covered.
func IsCovered(o string) bool { return CoverageStageOf(o) > 0 }

// CoverageCode is what the warehouse knows of one formation code of a
// catalogue (as entered, normalised).
type CoverageCode struct {
	Code string
	Kind CodeKind
	// Known: BCN (or InserSup for a SISE code) or a figure knows the code.
	Known bool
	// CFD is the code itself for a CFD, cfd_of_mefstat11 for a MEFSTAT11.
	CFD string
	// MEFSTAT11s are, for a CFD, the MEFSTAT11s whose CFD it is
	// (view mefstat11_cfd): its voie scolaire keys.
	MEFSTAT11s []string
	// Predecessor and Successor are the 1:1 continuum links of CFD, with
	// their own MEFSTAT11s.
	Predecessor, Successor                     string
	PredecessorMEFSTAT11s, SuccessorMEFSTAT11s []string
	// Libelle and Niveau are readable (as the formation pages show them);
	// LibelleBCN and NiveauCode are the BCN's own label and level code.
	Libelle, Niveau        string
	LibelleBCN, NiveauCode string
}

// RelatedUAI is another UAI of the same establishment, as the data says.
type RelatedUAI struct {
	UAI      string
	Relation string // « gestionnaire », « lieu de formation », « successeur »…
}

// CoverageCandidate is one place where the figures of a catalogue row
// may be: a UAI, a figure key and its voie, at a stage.
type CoverageCandidate struct {
	Stage           int
	UAI, Code, Voie string
	// Detail says in French what the candidate is (« ancien diplôme 40030001 »).
	Detail string
}

// voieOfKind is the voie whose figures are keyed by a code of this kind
// (DESIGN §3.1).
func voieOfKind(k CodeKind) string {
	switch k {
	case KindCFD:
		return VoieApprentissage
	case KindMEFSTAT11:
		return VoieScolaire
	case KindSISE:
		return VoieSuperieur
	}
	return ""
}

// VoieOfCode is the voie a code of this kind designates by default.
func VoieOfCode(k CodeKind) string { return voieOfKind(k) }

// CoverageCandidates lists, stage by stage, where the figures of the row
// (uai, code) may be found:
//  1. the code as entered, at the UAI (a CFD keys apprentissage figures, a
//     MEFSTAT11 voie scolaire ones, a SISE code InserSup ones);
//  2. the 1:1 predecessor, then successor, in the same key kind;
//  3. the other key of the same diploma: for a CFD its MEFSTAT11s (voie
//     scolaire), for a MEFSTAT11 its CFD (apprentissage);
//  4. stages 1 and 3 at each related UAI.
func CoverageCandidates(uai string, c CoverageCode, related []RelatedUAI) []CoverageCandidate {
	var out []CoverageCandidate
	add := func(stage int, u, code, voie, detail string) {
		if code != "" {
			out = append(out, CoverageCandidate{Stage: stage, UAI: u, Code: code, Voie: voie, Detail: detail})
		}
	}
	own := func(stage int, u, where string) {
		add(stage, u, c.Code, voieOfKind(c.Kind), "code saisi"+where)
		if stage == StageDirect {
			return
		}
		otherCodes(stage, u, where, c, add)
	}
	own(StageDirect, uai, "")
	switch c.Kind {
	case KindCFD:
		add(StageContinuum, uai, c.Predecessor, VoieApprentissage, "ancien diplôme "+c.Predecessor)
		add(StageContinuum, uai, c.Successor, VoieApprentissage, "nouveau diplôme "+c.Successor)
	case KindMEFSTAT11:
		for _, m := range c.PredecessorMEFSTAT11s {
			add(StageContinuum, uai, m, VoieScolaire, "MEFSTAT11 "+m+" de l'ancien diplôme "+c.Predecessor)
		}
		for _, m := range c.SuccessorMEFSTAT11s {
			add(StageContinuum, uai, m, VoieScolaire, "MEFSTAT11 "+m+" du nouveau diplôme "+c.Successor)
		}
	}
	otherCodes(StageAutreCode, uai, "", c, add)
	for _, r := range related {
		where := " à l'UAI " + r.UAI + " (" + r.Relation + ")"
		own(StageAutreUAI, r.UAI, where)
	}
	return out
}

// otherCodes adds the other key of the same diploma (stage 3's rule).
func otherCodes(stage int, u, where string, c CoverageCode, add func(int, string, string, string, string)) {
	switch c.Kind {
	case KindCFD:
		for _, m := range c.MEFSTAT11s {
			add(stage, u, m, VoieScolaire, "MEFSTAT11 "+m+" du même diplôme (voie scolaire)"+where)
		}
	case KindMEFSTAT11:
		if c.CFD != "" {
			add(stage, u, c.CFD, VoieApprentissage, "CFD "+c.CFD+" du même diplôme (apprentissage)"+where)
		}
	}
}

// CoverageFigure is one figure the warehouse holds for a candidate: its
// millésime and the statut Disclose gave it.
type CoverageFigure struct {
	Millesime     string
	Statut        string
	Demonstration bool
}

// CoverageFacts is what Cover decides on for one catalogue row.
type CoverageFacts struct {
	UAIKnown, CodeKnown bool
	// Code is what the warehouse knows of the row's code (labels, links).
	Code       CoverageCode
	Candidates []CoverageCandidate
	// Figures[i] are the figures of Candidates[i], every millésime.
	Figures [][]CoverageFigure
	// Millesime is the millésime asked for each voie ("" for a voie: none
	// exists in the warehouse).
	Millesime map[string]string
}

// CoverageResult is the outcome of one catalogue row and its reason.
type CoverageResult struct {
	Outcome string `json:"resultat"`
	Reason  string `json:"raison"`
	Stage   int    `json:"etape"`
	// Millesime is the millésime looked at (that of the figure found).
	Millesime string `json:"millesime"`
	// Where the figure was found (covered and sous_seuil).
	UAI           string `json:"uai_donnees"`
	Code          string `json:"code_donnees"`
	Voie          string `json:"voie_donnees"`
	Demonstration bool   `json:"demonstration"`
	// MillesimesDisponibles: the millésimes that exist (millesime_absent).
	MillesimesDisponibles []string `json:"millesimes_disponibles,omitempty"`
}

// Cover decides the outcome of a catalogue row:
//   - uai_inconnu, then code_inconnu, when the warehouse knows neither;
//   - stage by stage, the first candidate with a published figure (statut
//     ok) for the millésime covers the row; the row's own figures always
//     win over the continuum (DESIGN §3.6): when the code as entered has a
//     figure that shows no rate, the continuum is not looked at;
//   - else sous_seuil when a candidate has a figure that shows no rate
//     (under the threshold, or published without rates);
//   - else millesime_absent when candidates have figures of other
//     millésimes only (listed);
//   - else non_dispensee.
func Cover(f CoverageFacts) CoverageResult {
	if !f.UAIKnown {
		return CoverageResult{Outcome: CouvUAIInconnu, Reason: "UAI absent des référentiels d'établissements et de tous les fichiers de chiffres"}
	}
	if !f.CodeKnown {
		return CoverageResult{Outcome: CouvCodeInconnu, Reason: "code inconnu de la BCN, d'InserSup et de tous les fichiers de chiffres"}
	}
	at := func(i int) (CoverageFigure, bool) {
		voie := f.Candidates[i].Voie
		want := f.Millesime[voie]
		for _, fig := range f.Figures[i] {
			if want != "" && SameCoverageMillesime(voie, fig.Millesime, want) {
				return fig, true
			}
		}
		return CoverageFigure{}, false
	}
	ownHasFigure := false
	var hidden *CoverageResult
	for stage := StageDirect; stage <= NbStages; stage++ {
		if stage == StageContinuum && ownHasFigure {
			continue
		}
		for i, c := range f.Candidates {
			if c.Stage != stage {
				continue
			}
			fig, ok := at(i)
			if !ok {
				continue
			}
			r := CoverageResult{Stage: stage, Millesime: fig.Millesime, UAI: c.UAI, Code: c.Code, Voie: c.Voie, Demonstration: fig.Demonstration}
			if fig.Statut == StatutOK {
				r.Outcome = coveredAt(stage)
				r.Reason = "chiffres publiés : " + c.Detail
				if stage == StageDirect {
					r.Reason = "chiffres publiés pour cet UAI et ce code"
				}
				return r
			}
			if stage == StageDirect {
				ownHasFigure = true
			}
			if hidden == nil {
				r.Stage = 0
				r.Outcome = CouvSousSeuil
				why := "moins de 20 élèves en année terminale : taux non diffusés (secret statistique)"
				if fig.Statut == StatutNonDiffuse {
					why = "chiffre publié sans aucun taux par le producteur"
				}
				r.Reason = why + " (" + c.Detail + ")"
				hidden = &r
			}
		}
	}
	if hidden != nil {
		return *hidden
	}
	var others []string
	for i := range f.Candidates {
		for _, fig := range f.Figures[i] {
			if !slices.Contains(others, fig.Millesime) {
				others = append(others, fig.Millesime)
			}
		}
	}
	if len(others) > 0 {
		others = SortMillesimes(others)
		return CoverageResult{Outcome: CouvMillesimeAbsent, MillesimesDisponibles: others,
			Reason: "pas de chiffre pour le millésime demandé ; millésimes disponibles : " + strings.Join(others, ", ")}
	}
	return CoverageResult{Outcome: CouvNonDispensee,
		Reason: "aucun chiffre pour cette formation dans cet établissement, ni par le continuum ni par un autre code, quel que soit le millésime"}
}

// SameCoverageMillesime reports whether a figure of millésime got answers
// for the millésime want: the same one; for InserSup, any millésime that
// ends the same year (InserSup publishes a promotion alone, « 2021 », or
// cumulated with the one before when it is small, « 2020_2021 »).
func SameCoverageMillesime(voie, got, want string) bool {
	if got == want {
		return true
	}
	if voie != VoieSuperieur {
		return false
	}
	g, err1 := ParseMillesime(got)
	w, err2 := ParseMillesime(want)
	return err1 == nil && err2 == nil && g.End == w.End
}

func coveredAt(stage int) string {
	switch stage {
	case StageContinuum:
		return CouvContinuum
	case StageAutreCode:
		return CouvAutreCode
	case StageAutreUAI:
		return CouvAutreUAI
	}
	return CouvCouvert
}

// CoverageRate is 100·n/total with one decimal, rounded half to even
// (25.9 for 259 of 1,000); 0 when total is 0.
func CoverageRate(n, total int) float64 {
	v, ok := roundScaled(n, total, 1000)
	if !ok {
		return 0
	}
	return float64(v) / 10
}

// CoverageRateLabel writes a coverage rate the French way (« 25,9 % »).
func CoverageRateLabel(r float64) string {
	return strings.Replace(fmt.Sprintf("%.1f", r), ".", ",", 1) + "\u202f%"
}
