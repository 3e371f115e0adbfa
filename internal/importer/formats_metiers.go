package importer

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Certif Info and the ROME (SOURCES.md §E1–E4), as the Orion team exports
// them: referentials of readable formation labels and of the métiers a
// formation leads to. Both are under the Licence Ouverte 2.0.

const (
	certifInfoLicence = "Licence Ouverte 2.0 (Etalab)"
	romeLicence       = "Licence Ouverte 2.0 (Etalab)"
)

var (
	tCertifInfo = &Target{Table: "certif_info", Key: []string{"code_diplome", "onisep", "code_rs"},
		Cols: []string{"code_diplome", "onisep", "code_rs", "libelle", "type_diplome", "niveau_europeen",
			"rome_1", "rome_2", "rome_3", "rome_4", "rome_5", "nsf", "rncp", "cfd", "etat", "annee_derniere_session"}}
	tRomeFiches = &Target{Table: "rome_fiches", Key: []string{"code_rome"},
		Cols: []string{"code_rome", "code_fiche", "code_ogr", "libelle", "transition_eco", "transition_num",
			"transition_demo", "emploi_reglemente", "emploi_cadre", "code_rome_parent"}}
	tRomeAppellations = &Target{Table: "rome_appellations", Key: []string{"code_ogr"},
		Cols: []string{"code_ogr", "libelle_long", "libelle_court", "code_rome", "transition_eco", "transition_num",
			"transition_demo", "emploi_reglemente", "emploi_cadre", "classification"}}
	tRomeDomaines = &Target{Table: "rome_domaines", Key: []string{"code"}, Cols: []string{"code", "libelle"}}
)

// certifInfoCols are the columns read, by name (the file has 37).
var certifInfoCols = []string{"Code_Diplome", "codeIdeo2", "Code_RS", "Libelle_Diplome", "Libelle_Type_Diplome",
	"Code_Niveau_Europeen", "Code_Rome_1", "Code_Rome_2", "Code_Rome_3", "Code_Rome_4", "Code_Rome_5",
	"Code_Nsf", "Code_RNCP", "Code_Scolarité", "Etat", "Annee_Derniere_Session"}

var fmtCertifInfo = &Format{
	Kind: "certif_info", Producer: "Certif Info (Réseau des Carif-Oref, Onisep), via Orion", Licence: certifInfoLicence,
	Label: "Certif Info : certifications, libellés lisibles, codes ROME, RNCP et Onisep", Order: 13, Plain: true,
	MaxField: 16 << 10, // the longest valideur field of the real file is 5,259 bytes
	Targets:  []*Target{tCertifInfo},
	Match: func(h header, _ string) bool {
		return h.has("Code_Diplome", "Libelle_Diplome", "Code_Scolarité", "codeIdeo2")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols(certifInfoCols...)
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.str(c[0])
			if code == "" || !isDigits(code) {
				r.reject(c[0], "code de certification Certif Info attendu (chiffres, ex. 82775)")
			}
			onisep := r.str(c[1])
			if onisep != "" && !model.ValidOnisep(onisep) {
				r.reject(c[1], "identifiant Onisep attendu sous la forme FOR.1094 (formation) ou TYPDISP.17 (dispositif)")
			}
			rs := r.str(c[2])
			if rs != "" && !isDigits(rs) {
				r.reject(c[2], "code du répertoire spécifique attendu (chiffres)")
			}
			lib := r.repairedText(c[3])
			if strings.TrimSpace(r.rec[c[3]]) == "" {
				r.reject(c[3], "libellé de la certification vide")
			}
			var rome [5]any
			for k := range rome {
				rome[k] = r.romeCode(c[6+k])
			}
			rncp := r.str(c[12])
			if rncp != "" && !isDigits(rncp) {
				r.reject(c[12], "code RNCP attendu (chiffres, ex. 37297)")
			}
			var cfd any
			if r.str(c[13]) != "" {
				cfd = r.cfd(c[13])
			}
			var last any
			if s := r.str(c[15]); s != "" {
				last = r.year(c[15])
			}
			if r.bad() {
				return
			}
			r.emit(tCertifInfo, code, onisep, rs, lib, nilIfEmpty(r.repairedText(c[4])), r.opt(c[5]),
				rome[0], rome[1], rome[2], rome[3], rome[4], r.opt(c[11]), nilIfEmpty(rncp), cfd, r.opt(c[14]), last)
		}, nil
	},
}

// romeFlagCols are the flag columns fiches and appellations share.
var romeFlagCols = []string{"transition_eco", "transition_num", "transition_demo", "emploi_reglemente", "emploi_cadre"}

var fmtRomeFiches = &Format{
	Kind: "rome_fiches_metiers", Producer: "France Travail (ROME), via Orion", Licence: romeLicence,
	Label: "ROME : fiches métiers", Order: 4, Plain: true,
	Targets: []*Target{tRomeFiches},
	Match: func(h header, _ string) bool {
		return h.has("code_rome", "code_fiche_metier", "libelle_rome")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols(append([]string{"code_rome", "code_fiche_metier", "code_ogr", "libelle_rome", "code_rome_parent"}, romeFlagCols...)...)
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.romeCode(c[0])
			if code == nil {
				r.reject(c[0], "code ROME manquant (une lettre et quatre chiffres, ex. A1101)")
			}
			lib := r.str(c[3])
			if lib == "" {
				r.reject(c[3], "libellé de la fiche métier vide")
			}
			parent := r.romeCode(c[4])
			eco, flags := r.romeFlags(c[5:])
			if r.bad() {
				return
			}
			r.emit(tRomeFiches, code, r.opt(c[1]), r.opt(c[2]), lib, eco, flags[0], flags[1], flags[2], flags[3], parent)
		}, nil
	},
}

var fmtRomeAppellations = &Format{
	Kind: "rome_appellations", Producer: "France Travail (ROME), via Orion", Licence: romeLicence,
	Label: "ROME : appellations métiers", Order: 5, Plain: true,
	Targets: []*Target{tRomeAppellations},
	Match: func(h header, _ string) bool {
		return h.has("code_ogr", "libelle_appellation_long", "code_rome")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols(append([]string{"code_ogr", "libelle_appellation_long", "libelle_appellation_court", "code_rome", "classification"}, romeFlagCols...)...)
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			ogr := r.str(c[0])
			if ogr == "" || !isDigits(ogr) {
				r.reject(c[0], "code OGR attendu (chiffres, ex. 10200)")
			}
			lib := r.str(c[1])
			if lib == "" {
				r.reject(c[1], "libellé de l'appellation vide")
			}
			code := r.romeCode(c[3])
			if code == nil {
				r.reject(c[3], "code ROME manquant (une lettre et quatre chiffres, ex. A1101)")
			}
			cl := r.str(c[4])
			if cl != "" && cl != "PRINCIPALE" && cl != "SYNONYME" {
				r.reject(c[4], "classification PRINCIPALE ou SYNONYME attendue")
			}
			eco, flags := r.romeFlags(c[5:])
			if r.bad() {
				return
			}
			r.emit(tRomeAppellations, ogr, lib, r.opt(c[2]), code, eco, flags[0], flags[1], flags[2], flags[3], nilIfEmpty(cl))
		}, nil
	},
}

var fmtRomeDomaines = &Format{
	Kind: "rome_domaines_professionnels", Producer: "France Travail (ROME), via Orion", Licence: romeLicence,
	Label: "ROME : domaines professionnels", Order: 4, Plain: true,
	Targets: []*Target{tRomeDomaines},
	Match: func(h header, _ string) bool {
		return h.has("code_domaine_professionnel", "libelle_domaine_professionnel")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("code_domaine_professionnel", "libelle_domaine_professionnel")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			code := r.str(c[0])
			if !model.ValidROMEDomaine(code) {
				r.reject(c[0], "code de domaine professionnel attendu (une lettre et deux chiffres, ex. A11)")
			}
			lib := r.str(c[1])
			if lib == "" {
				r.reject(c[1], "libellé du domaine vide")
			}
			r.emit(tRomeDomaines, code, lib)
		}, nil
	},
}

// romeCode reads an optional ROME code (A1101); nil when empty.
func (r *row) romeCode(i int) any {
	s := r.str(i)
	if s == "" {
		return nil
	}
	if !model.ValidROME(s) {
		r.reject(i, "code ROME attendu (une lettre de A à N et quatre chiffres, ex. A1101)")
		return nil
	}
	return s
}

// romeFlags reads transition_eco (a label, kept as is) and the four O/N
// flags (NULL when empty).
func (r *row) romeFlags(c []int) (eco any, flags [4]any) {
	eco = r.opt(c[0])
	for k := range flags {
		switch s := r.str(c[1+k]); s {
		case "":
		case "O":
			flags[k] = true
		case "N":
			flags[k] = false
		default:
			r.reject(c[1+k], "O ou N attendu (ou vide)")
		}
	}
	return eco, flags
}

// repairedText reads a label of Certif Info. The file is UTF-8, but four of
// its 10,067 labels went once through a Windows-1252 decoder on the way
// (none of them has a CFD): « santÃ© » is « santé » encoded twice, and
// « strateÌ\uFFFDgie » is « stratégie » written with a combining acute
// accent (U+0301, bytes CC 81) whose second byte Windows-1252 does not
// define (hence U+FFFD). Both are repaired exactly here rather than
// refused: a double-encoded sequence decodes back to valid UTF-8, and
// « Ì » + U+FFFD can only be CC 81, CC 8D, CC 8F, CC 90 or CC 9D, of which
// only U+0301 is used in French. Soft hyphens are removed and no-break
// spaces become spaces; the result is NFC. Anything still garbled is
// refused by str's mojibake check.
func (r *row) repairedText(i int) string {
	if i < 0 || i >= len(r.rec) {
		return ""
	}
	s := repairText(strings.TrimSpace(r.rec[i]))
	if strings.ContainsRune(s, utf8.RuneError) {
		r.reject(i, "caractère illisible (U+FFFD) dans le texte : le fichier a perdu un octet en route ; repartez de l'original en UTF-8")
		return ""
	}
	saved := r.rec[i]
	r.rec[i] = s
	s = r.str(i)
	r.rec[i] = saved
	return s
}

func repairText(s string) string {
	s = strings.ReplaceAll(s, "Ì\uFFFD", "\u0301")
	for range 8 { // each pass undoes one double encoding
		m := mojibake(s)
		if m == "" {
			break
		}
		var b []byte
		for _, c := range m {
			b = append(b, cp1252Byte(c))
		}
		if !utf8.Valid(b) {
			break
		}
		s = strings.Replace(s, m, string(b), 1)
	}
	s = strings.ReplaceAll(s, "\u00AD", "")
	s = strings.ReplaceAll(s, "\u00A0", " ")
	return norm.NFC.String(s)
}

// cp1252Byte is the Windows-1252 (or Latin-1) byte a character came from.
func cp1252Byte(c rune) byte {
	for b := 0x80; b < 256; b++ {
		if cp1252[b] == c {
			return byte(b)
		}
	}
	if c >= 0x80 && c < 0x100 {
		return byte(c)
	}
	return '?'
}
