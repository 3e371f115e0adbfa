package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The labour-market context of a territory: INSEE's taux de chômage
// localisés, per région (INSEE code) and per département, one rate per
// year. No source file gives a France-wide rate, and an unweighted mean of
// régions is not one (the régions differ in size by a factor 20): the
// context places a territory among the régions instead (rank, range).

// ChomageFranceAbsent says why no France figure stands beside a territory's
// unemployment rate.
const ChomageFranceAbsent = "Le taux de chômage de la France entière ne figure pas dans la source (taux de chômage localisés de l'INSEE, par région et par département) ; une moyenne des régions ne le remplacerait pas, car elles n'ont pas la même population active."

// ValidDepartement reports whether code is a département code as INSEE
// and the Éducation nationale write it on 3 characters: 001–095 (020 is
// split into 02A and 02B, Corse) and 971–976 (outre-mer).
func ValidDepartement(code string) bool {
	if code == "02A" || code == "02B" {
		return true
	}
	if len(code) != 3 || strings.Trim(code, "0123456789") != "" {
		return false
	}
	n, _ := strconv.Atoi(code)
	return n >= 1 && n <= 95 && n != 20 || n >= 971 && n <= 976
}

// TauxChomage is one unemployment rate of a territory for one year, in
// percent with one decimal (INSEE publishes 6,1).
type TauxChomage struct {
	Code  string  `json:"code"`
	Nom   string  `json:"nom"`
	Annee int     `json:"annee"`
	Taux  float64 `json:"taux_chomage"`
}

// RangChomage places one région among the régions of the same year, the
// lowest rate first: Rang 1 is the lowest. Tied régions share a rank
// (1, 2, 2, 4…) and are marked ExAequo.
type RangChomage struct {
	Rang    int  `json:"rang"`
	Sur     int  `json:"nb_regions"`
	ExAequo bool `json:"ex_aequo"`
}

// RankLowest ranks code among rates (one year, one rate per territory),
// the lowest first; false when code is not among them.
func RankLowest(rates []TauxChomage, code string) (RangChomage, bool) {
	var mine *TauxChomage
	for i := range rates {
		if rates[i].Code == code {
			mine = &rates[i]
		}
	}
	if mine == nil {
		return RangChomage{}, false
	}
	r := RangChomage{Rang: 1, Sur: len(rates)}
	for _, o := range rates {
		switch {
		case o.Code == code:
		case o.Taux < mine.Taux:
			r.Rang++
		case o.Taux == mine.Taux:
			r.ExAequo = true
		}
	}
	return r, true
}

// Label words the rank: « le plus bas des 17 régions », « 4e plus bas sur
// 17 régions », « le plus élevé des 17 régions », with « (ex æquo) ».
func (r RangChomage) Label() string {
	var s string
	switch {
	case r.Rang == 1:
		s = fmt.Sprintf("le plus bas des %d régions", r.Sur)
	case r.Rang == r.Sur && !r.ExAequo:
		s = fmt.Sprintf("le plus élevé des %d régions", r.Sur)
	default:
		s = fmt.Sprintf("%de plus bas sur %d régions", r.Rang, r.Sur)
	}
	if r.ExAequo {
		s += " (ex æquo)"
	}
	return s
}

// MinMax returns the territories of the lowest and the highest rate (the
// first code in order on ties); ok is false when rates is empty.
func MinMax(rates []TauxChomage) (lo, hi TauxChomage, ok bool) {
	if len(rates) == 0 {
		return lo, hi, false
	}
	s := append([]TauxChomage(nil), rates...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Code < s[j].Code })
	lo, hi = s[0], s[0]
	for _, t := range s[1:] {
		if t.Taux < lo.Taux {
			lo = t
		}
		if t.Taux > hi.Taux {
			hi = t
		}
	}
	return lo, hi, true
}

// RegionChomage is a région's rate with its place among the régions.
type RegionChomage struct {
	TauxChomage
	RangChomage
	// Min and Max are the lowest and highest régions of the same year.
	Min TauxChomage `json:"min"`
	Max TauxChomage `json:"max"`
}

// ContexteEmploi is the labour-market context of a région or académie.
type ContexteEmploi struct {
	// Region is the territory's région (nil: the file has no rate for it).
	Region *RegionChomage `json:"region"`
	// Departements are the rates of the territory's départements, latest
	// year of the departmental file.
	Departements []TauxChomage `json:"departements"`
	// France is always null: the source has no France-wide rate
	// (FranceAbsente says so).
	France        *float64 `json:"france"`
	FranceAbsente string   `json:"france_absente"`
	// Sources are the files the rates come from (INSEE, licence).
	Sources []SourceChomage `json:"sources"`
	// Absent says why there is no rate at all ("" when there is one).
	Absent string `json:"absent,omitempty"`
}

// SourceChomage is an imported INSEE file.
type SourceChomage struct {
	Fichier    string `json:"fichier"`
	ImportRun  int64  `json:"import_run"`
	Format     string `json:"format"`
	Producteur string `json:"producteur"`
	Licence    string `json:"licence"`
}
