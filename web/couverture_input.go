package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The catalogue a partner sends to the coverage analyser: `uai;code`,
// optionally voie, libelle and the partner's own id, with or without a
// header, separated by « ; », « , » or a tab, in UTF-8 or Windows-1252.
// Every bad line is reported with its line number and set aside; the
// others are analysed.

const (
	// maxCoverageRows bounds a catalogue (data rows, header excluded).
	maxCoverageRows = 50_000
	// maxCoverageErrors bounds the line errors listed (all are counted).
	maxCoverageErrors = 1_000
	// maxCoverageCell bounds the partner's own texts (id, libellé).
	maxCoverageCell = 500
)

// coverageInputRow is one valid catalogue row.
type coverageInputRow struct {
	Line    int
	UAI     string
	Code    string
	Kind    model.CodeKind
	Voie    string // as given (normalised), "" when absent
	Libelle string // the partner's label, verbatim
	ID      string // the partner's id, verbatim
}

// coverageLineError is one refused line.
type coverageLineError struct {
	Line    int    `json:"ligne"`
	Message string `json:"message"`
}

// coverageInput is a parsed catalogue.
type coverageInput struct {
	Rows      []coverageInputRow
	Errors    []coverageLineError
	NbErrors  int
	NbLines   int // data lines read (valid and refused)
	Encoding  string
	Separator string
	Header    bool
	IDColumn  string
	Ignored   []string
}

// errCoverageTooLong refuses a catalogue of more than maxCoverageRows rows.
var errCoverageTooLong = &httpError{Status: 422, Code: "catalogue_trop_long", Heading: "Catalogue trop long",
	Message: fmt.Sprintf("Le catalogue compte plus de %s lignes : l'analyse en accepte %s au plus par envoi. Découpez-le en plusieurs fichiers (l'en-tête ne compte pas).",
		formatInt(maxCoverageRows), formatInt(maxCoverageRows))}

// errCoverageInput is a catalogue refused whole (encoding, no column…).
func errCoverageInput(msg string) *httpError {
	return &httpError{Status: 422, Code: "catalogue_invalide", Heading: "Catalogue illisible", Message: msg}
}

// Column roles, and the header names each accepts (normalised: lower
// case, no accent, « _ » for spaces).
const (
	colUAI = iota
	colCode
	colVoie
	colLibelle
	colID
)

var coverageHeaders = map[string]int{
	"uai": colUAI, "numero_uai": colUAI, "code_uai": colUAI, "uai_formation": colUAI, "uai_lieu_formation": colUAI,
	"uai_etablissement": colUAI, "uai_affectation": colUAI, "uai_aff": colUAI, "etablissement": colUAI,
	"code": colCode, "code_formation": colCode, "code_certification": colCode, "cfd": colCode, "code_cfd": colCode,
	"codecfd": colCode, "mef": colCode, "mefstat11": colCode, "code_mef": colCode, "codemef": colCode, "sise": colCode,
	"code_sise": colCode, "codesise": colCode, "code_diplome": colCode, "formation_code": colCode,
	"voie": colVoie, "filiere": colVoie, "voie_formation": colVoie,
	"libelle": colLibelle, "libelle_formation": colLibelle, "intitule": colLibelle, "formation": colLibelle, "nom_formation": colLibelle,
	"id": colID, "identifiant": colID, "id_partenaire": colID, "identifiant_partenaire": colID, "reference": colID,
	"ref": colID, "cle": colID, "id_formation": colID,
}

var headerFold = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "â", "a", "î", "i", "ô", "o", "û", "u", "ç", "c",
	" ", "_", "-", "_", ".", "_", "'", "_")

func normHeader(s string) string {
	return headerFold.Replace(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))))
}

// coverageVoie reads a voie cell ("" when empty).
func coverageVoie(s string) (string, error) {
	switch normHeader(s) {
	case "":
		return "", nil
	case "scolaire", "sco", "voie_scolaire", "pro", "voie_pro", "statut_scolaire":
		return model.VoieScolaire, nil
	case "apprentissage", "app", "apprenti", "apprentis":
		return model.VoieApprentissage, nil
	case "superieur", "sup", "enseignement_superieur":
		return model.VoieSuperieur, nil
	}
	return "", fmt.Errorf("voie %s inconnue : scolaire, apprentissage ou superieur attendu", quoteParam(s))
}

// coverageCode reads a formation code, with or without the prefix the
// Exposition API writes (CFD:, MEFSTAT11:, SISE:).
func coverageCode(s string) (string, model.CodeKind, error) {
	c := strings.TrimSpace(s)
	if i := strings.IndexByte(c, ':'); i > 0 {
		switch strings.ToUpper(c[:i]) {
		case "CFD", "MEFSTAT11", "MEF", "SISE":
			c = c[i+1:]
		}
	}
	if c == "" {
		return "", "", errors.New("code de formation vide")
	}
	return model.ParseFormationCode(c)
}

// parseCoverage decodes and reads a catalogue. The error refuses it whole
// (encoding, too many rows, no uai or code column); bad lines are listed
// in Errors.
func parseCoverage(raw []byte) (*coverageInput, error) {
	text, enc, err := importer.DecodeText(raw, "catalogue")
	if err != nil {
		return nil, errCoverageInput("Le fichier n'a pas pu être lu : " + err.Error() + ".")
	}
	in := &coverageInput{Encoding: enc}
	first := strings.TrimLeft(text, "\r\n")
	if i := strings.IndexAny(first, "\r\n"); i >= 0 {
		first = first[:i]
	}
	if strings.TrimSpace(first) == "" {
		return nil, errCoverageInput("Le catalogue est vide : collez des lignes « uai;code » ou choisissez un fichier CSV.")
	}
	sep := ','
	switch {
	case strings.Contains(first, ";"):
		sep = ';'
	case strings.Contains(first, "\t"):
		sep = '\t'
	}
	in.Separator = map[rune]string{';': "point-virgule", ',': "virgule", '\t': "tabulation"}[sep]
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord, r.ReuseRecord = sep, true, -1, true
	pos := map[int]int{colUAI: 0, // positional, without a header
		colCode: 1, colVoie: 2, colLibelle: 3, colID: 4}
	addErr := func(line int, msg string) {
		in.NbErrors++
		if len(in.Errors) < maxCoverageErrors {
			in.Errors = append(in.Errors, coverageLineError{Line: line, Message: msg})
		}
	}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				in.NbLines++
				addErr(pe.StartLine, "ligne illisible : "+pe.Err.Error())
				continue
			}
			return nil, errCoverageInput("Le catalogue n'a pas pu être lu : " + err.Error() + ".")
		}
		if n == 0 && isCoverageHeader(rec) {
			in.Header = true
			pos = map[int]int{}
			for i, h := range rec {
				role, ok := coverageHeaders[normHeader(h)]
				if _, dup := pos[role]; ok && !dup {
					pos[role] = i
					if role == colID {
						in.IDColumn = strings.TrimSpace(h)
					}
					continue
				}
				if name := strings.TrimSpace(h); name != "" {
					in.Ignored = append(in.Ignored, cutRunes(name, 60))
				}
			}
			for _, need := range []struct {
				role int
				name string
			}{{colUAI, "uai"}, {colCode, "code (ou cfd, mefstat11, sise)"}} {
				if _, ok := pos[need.role]; !ok {
					return nil, errCoverageInput(fmt.Sprintf("L'en-tête du catalogue n'a pas de colonne %s (colonnes lues : %s).",
						need.name, cutRunes(strings.Join(rec, ", "), 200)))
				}
			}
			continue
		}
		if blank(rec) {
			continue
		}
		in.NbLines++
		if in.NbLines > maxCoverageRows {
			return nil, errCoverageTooLong
		}
		get := func(role int) string {
			i, ok := pos[role]
			if !ok || i >= len(rec) {
				return ""
			}
			return rec[i]
		}
		var row coverageInputRow
		row.Line = line
		var msgs []string
		if u, err := model.NormalizeUAI(get(colUAI)); err != nil {
			msgs = append(msgs, err.Error())
		} else {
			row.UAI = u
		}
		if c, k, err := coverageCode(get(colCode)); err != nil {
			msgs = append(msgs, err.Error())
		} else {
			row.Code, row.Kind = c, k
		}
		if v, err := coverageVoie(get(colVoie)); err != nil {
			msgs = append(msgs, err.Error())
		} else {
			row.Voie = v
		}
		for _, t := range []struct {
			dst  *string
			role int
			name string
		}{{&row.Libelle, colLibelle, "libellé"}, {&row.ID, colID, "identifiant"}} {
			v := get(t.role)
			if utf8.RuneCountInString(v) > maxCoverageCell {
				msgs = append(msgs, fmt.Sprintf("%s trop long (plus de %d caractères)", t.name, maxCoverageCell))
				continue
			}
			*t.dst = strings.Clone(v)
		}
		if len(msgs) > 0 {
			addErr(line, strings.Join(msgs, " ; "))
			continue
		}
		in.Rows = append(in.Rows, row)
	}
	return in, nil
}

// isCoverageHeader tells a header line: a cell names a known column and
// the first cell is not a UAI.
func isCoverageHeader(rec []string) bool {
	if len(rec) == 0 {
		return false
	}
	if _, err := model.NormalizeUAI(rec[0]); err == nil {
		return false
	}
	for _, h := range rec {
		if _, ok := coverageHeaders[normHeader(h)]; ok {
			return true
		}
	}
	return false
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
