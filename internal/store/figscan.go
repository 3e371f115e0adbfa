package store

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// figScanner reads figure rows (figRow) without an allocation per value:
// a page of a large formation or territory reads thousands of rows, and
// scanning each count and rate into its own *int and each text column
// into its own string made 20-odd objects per row, a third of those
// pages' time between the allocator and the garbage collector. Text
// values are interned per query (a millésime, a voie, a région or a
// code is allocated once), the counts and rates point into one block per
// 1,024 rows.
type figScanner struct {
	uai    bool // the query's first column is the uai
	parts  bool // the three parts follow the rates (establishment rows)
	intern map[string]string
	text   [7]pgtype.DriverBytes
	num    [15]pgtype.Int4
	fileID int64
	slab   []int
	dst    []any
}

func newFigScanner(uai, parts bool) *figScanner {
	s := &figScanner{uai: uai, parts: parts, intern: map[string]string{}}
	first := 1
	if uai {
		first = 0
	}
	for i := first; i < len(s.text); i++ {
		s.dst = append(s.dst, &s.text[i])
	}
	n := 12
	if parts {
		n = 15
	}
	for i := 0; i < n; i++ {
		s.dst = append(s.dst, &s.num[i])
	}
	s.dst = append(s.dst, &s.fileID)
	return s
}

func (s *figScanner) str(b []byte) string {
	if v, ok := s.intern[string(b)]; ok {
		return v
	}
	v := string(b)
	s.intern[v] = v
	return v
}

// scan reads the current row of rows into r (columns: [uai,] millesime,
// region, voie, code, cfd, mefstat11, figureCols, [the three parts,]
// file_id).
func (s *figScanner) scan(rows pgx.Rows, r *figRow) error {
	if err := rows.Scan(s.dst...); err != nil {
		return err
	}
	*r = figRow{}
	if s.uai {
		r.uai = s.str(s.text[0])
	}
	r.millesime, r.region, r.voie, r.code = s.str(s.text[1]), s.str(s.text[2]), s.str(s.text[3]), s.str(s.text[4])
	r.cfd, r.mefstat11 = s.str(s.text[5]), s.str(s.text[6])
	r.fileID = s.fileID
	f := &r.fig
	dst := [...]**int{&f.NbAnneeTerm, &f.NbSortant, &f.NbPoursuiteEtudes, &f.NbEnEmploi6Mois, &f.NbEnEmploi12Mois,
		&f.NbEnEmploi18Mois, &f.NbEnEmploi24Mois,
		&f.TauxPoursuiteEtudes, &f.TauxEmploi6Mois, &f.TauxEmploi12Mois, &f.TauxEmploi18Mois, &f.TauxEmploi24Mois,
		&f.PartPoursuiteEtudes, &f.PartEmploi6Mois, &f.PartAutresSituations}
	n := 12
	if s.parts {
		n = 15
	}
	for i := 0; i < n; i++ {
		if !s.num[i].Valid {
			continue
		}
		if len(s.slab) == 0 {
			s.slab = make([]int, 1024)
		}
		v := &s.slab[0]
		s.slab = s.slab[1:]
		*v = int(s.num[i].Int32)
		*dst[i] = v
	}
	return nil
}
