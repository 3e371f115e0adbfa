package web

import (
	"strconv"
	"strings"
	"time"
)

// The site's number wording, in one place: every count shown (pages,
// charts, summaries, downloads' notes) goes through formatInt, every
// difference in points through pointsOf, every « 1 chose / 2 choses »
// through pluralS or nOf.

// formatInt writes an integer with French thousands separators (narrow
// no-break spaces) and a true minus sign: 616504 → "616 504", -3 → "−3".
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// pluralS is "s" when n calls for the plural in French (|n| ≥ 2: « 0
// point », « 1 point », « 2 points »).
func pluralS(n int) string {
	if n >= 2 || n <= -2 {
		return "s"
	}
	return ""
}

// nOf is « 1 établissement », « 1 234 établissements ».
func nOf(n int, one, many string) string {
	if n >= 2 || n <= -2 {
		return formatInt(n) + " " + many
	}
	return formatInt(n) + " " + one
}

// pointsOf is a difference in percentage points, signed when signed is
// set: « +1 point », « −3 points », « 0 point ».
func pointsOf(n int, signed bool) string {
	s := formatInt(n)
	if signed && n > 0 {
		s = "+" + s
	}
	return s + "\u00a0point" + pluralS(n)
}

// frenchDuration words a duration: « 1 heure », « 12 minutes ».
func frenchDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		h := int(d / time.Hour)
		return strconv.Itoa(h) + " heure" + pluralS(h)
	case d >= time.Minute:
		m := int((d + time.Minute - 1) / time.Minute)
		return strconv.Itoa(m) + " minute" + pluralS(m)
	}
	sec := max(1, int(d/time.Second))
	return strconv.Itoa(sec) + " seconde" + pluralS(sec)
}

// formatSize is a file size in French units: « 812 octets », « 45 ko »,
// « 1,2 Mo » (powers of 1000, one decimal under 10).
func formatSize(n int64) string {
	if n < 1000 {
		return nOf(int(n), "octet", "octets")
	}
	units := []string{"ko", "Mo", "Go", "To"}
	v := float64(n) / 1000
	u := 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	if v < 10 {
		return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1) + "\u00a0" + units[u]
	}
	return formatInt(int(v+0.5)) + "\u00a0" + units[u]
}
