package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Millesime is a cohort year (Start == End, e.g. national "2024") or a
// cumul of two consecutive cohorts (e.g. "2023_2024").
type Millesime struct {
	Start, End int
}

// String is the canonical form: "AAAA_BBBB" for a cumul, "AAAA" for one year.
func (m Millesime) String() string {
	if m.Start == m.End {
		return strconv.Itoa(m.Start)
	}
	return strconv.Itoa(m.Start) + "_" + strconv.Itoa(m.End)
}

// Label is the French display form ("promotions 2023 et 2024", "promotion 2024").
func (m Millesime) Label() string {
	if m.Start == m.End {
		return fmt.Sprintf("promotion %d", m.Start)
	}
	return fmt.Sprintf("promotions %d et %d", m.Start, m.End)
}

// IsZero reports whether m is unset.
func (m Millesime) IsZero() bool { return m.Start == 0 }

// ParseMillesime reads every spelling the producers use: "2023_2024",
// "2023-2024", "cumul 2023-2024", "2024", "2023,2024" (InserSup CSV promo).
func ParseMillesime(s string) (Millesime, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSpace(strings.TrimPrefix(t, "cumul"))
	if t == "" {
		return Millesime{}, fmt.Errorf("millésime vide")
	}
	sep := strings.IndexAny(t, "_-,/ ")
	if sep < 0 {
		y, err := parseYear(t)
		if err != nil {
			return Millesime{}, fmt.Errorf("millésime %q invalide : %v", s, err)
		}
		return Millesime{y, y}, nil
	}
	a, err1 := parseYear(strings.TrimSpace(t[:sep]))
	b, err2 := parseYear(strings.TrimSpace(t[sep+1:]))
	if err1 != nil || err2 != nil {
		return Millesime{}, fmt.Errorf("millésime %q invalide : deux années attendues (AAAA_BBBB)", s)
	}
	return MillesimeOfYears(a, b, s)
}

// MillesimeOfYears builds a millésime from a list of promotion years, as
// InserSup writes them (["2020","2021"]).
func MillesimeOfYears(a, b int, src string) (Millesime, error) {
	if a == b {
		return Millesime{a, a}, nil
	}
	if b != a+1 {
		return Millesime{}, fmt.Errorf("millésime %q invalide : les deux années doivent se suivre", src)
	}
	return Millesime{a, b}, nil
}

func parseYear(s string) (int, error) {
	if len(s) != 4 {
		return 0, fmt.Errorf("année %q sur 4 chiffres attendue", s)
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1990 || y > 2100 {
		return 0, fmt.Errorf("année %q hors bornes", s)
	}
	return y, nil
}

// EmploiPublicExclu reports whether public-sector employment is missing from
// the figures of m: DSN-based employment counts public employers only from
// the 2022 leavers on, so millésimes ending in 2021 or earlier exclude it.
func (m Millesime) EmploiPublicExclu() bool { return m.End <= 2021 }
