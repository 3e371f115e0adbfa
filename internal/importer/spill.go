package importer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"time"
)

// The rows the first pass validated, kept on disk for the load.
//
// The first pass over the files keeps only the hashes of the rows' keys in
// memory (bounded memory); the load needs the rows again. Reading and
// validating a file a second time cost as much CPU as the first time
// (~1.3 s of CPU for the demo data), competing with PostgreSQL for the
// machine's cores; the first pass therefore also writes the rows it kept,
// in a compact binary form, to a file of the run's temporary directory
// (Options.spillDir), which the load decodes (a few times cheaper) and
// deletes. A value of a type the encoding does not know makes the file be
// read again instead, as before.

// spillWriter encodes the rows of one file.
type spillWriter struct {
	f       *os.File
	w       *bufio.Writer
	targets map[*Target]uint64
	buf     []byte
	err     error // the first failure: the spill is abandoned
}

var errSpillType = errors.New("type de valeur inconnu")

func newSpillWriter(dir string, targets []*Target) *spillWriter {
	f, err := os.CreateTemp(dir, "rows-*.bin")
	if err != nil {
		return &spillWriter{err: err}
	}
	s := &spillWriter{f: f, w: bufio.NewWriterSize(f, 1<<16), targets: map[*Target]uint64{}}
	for i, t := range targets {
		s.targets[t] = uint64(i)
	}
	return s
}

// row appends one row of t.
func (s *spillWriter) row(t *Target, vals []any) {
	if s.err != nil {
		return
	}
	b := binary.AppendUvarint(s.buf[:0], s.targets[t])
	b = binary.AppendUvarint(b, uint64(len(vals)))
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			b = append(b, 0)
		case string:
			b = append(b, 1)
			b = binary.AppendUvarint(b, uint64(len(x)))
			b = append(b, x...)
		case int32:
			b = append(b, 2)
			b = binary.AppendVarint(b, int64(x))
		case int64:
			b = append(b, 3)
			b = binary.AppendVarint(b, x)
		case int:
			b = append(b, 4)
			b = binary.AppendVarint(b, int64(x))
		case float64:
			b = append(b, 5)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		case bool:
			b = append(b, 6)
			if x {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		case time.Time:
			m, err := x.MarshalBinary()
			if err != nil {
				s.err = err
				return
			}
			b = append(b, 7)
			b = binary.AppendUvarint(b, uint64(len(m)))
			b = append(b, m...)
		default:
			s.err = fmt.Errorf("%w : %T", errSpillType, v)
			return
		}
	}
	s.buf = b
	if _, err := s.w.Write(b); err != nil {
		s.err = err
	}
}

// close ends the file and returns its path, or "" (and removes it) when
// the spill was abandoned.
func (s *spillWriter) close() string {
	if s.f == nil {
		return ""
	}
	if s.err == nil {
		s.err = s.w.Flush()
	}
	if err := s.f.Close(); s.err == nil {
		s.err = err
	}
	name := s.f.Name()
	s.f = nil // closed: close is idempotent
	if s.err != nil {
		os.Remove(name)
		return ""
	}
	return name
}

// readSpill decodes the rows of a spill file, per target of f, and deletes
// the file.
func readSpill(path string, f *Format) (map[*Target][][]any, error) {
	data, err := os.ReadFile(path)
	os.Remove(path)
	if err != nil {
		return nil, err
	}
	// The rows of a file repeat the same few values (UAI, codes,
	// millésimes, voies, sources): each distinct one is allocated and
	// boxed once, so that the decoded rows take less memory than the rows
	// of a second parse did (the rows of two files are held at a time).
	boxed := map[string]any{}
	bad := fmt.Errorf("%s : fichier temporaire des lignes illisible (erreur interne) ; rien n'a été écrit, relancez l'import", path)
	rows := map[*Target][][]any{}
	pos := 0
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(data[pos:])
		if n <= 0 {
			return 0, false
		}
		pos += n
		return v, true
	}
	sv := func() (int64, bool) {
		v, n := binary.Varint(data[pos:])
		if n <= 0 {
			return 0, false
		}
		pos += n
		return v, true
	}
	for pos < len(data) {
		ti, ok := uv()
		if !ok || ti >= uint64(len(f.Targets)) {
			return nil, bad
		}
		n, ok := uv()
		if !ok || n > uint64(len(data)) {
			return nil, bad
		}
		vals := make([]any, n)
		for i := range vals {
			if pos >= len(data) {
				return nil, bad
			}
			tag := data[pos]
			pos++
			switch tag {
			case 0:
			case 1:
				l, ok := uv()
				if !ok || l > uint64(len(data)-pos) {
					return nil, bad
				}
				b := data[pos : pos+int(l)]
				pos += int(l)
				if v, ok := boxed[string(b)]; ok {
					vals[i] = v
					continue
				}
				var v any = string(b)
				if len(boxed) < 1<<16 {
					boxed[string(b)] = v
				}
				vals[i] = v
			case 2, 3, 4:
				x, ok := sv()
				if !ok {
					return nil, bad
				}
				switch tag {
				case 2:
					vals[i] = int32(x)
				case 3:
					vals[i] = x
				default:
					vals[i] = int(x)
				}
			case 5:
				if len(data)-pos < 8 {
					return nil, bad
				}
				vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[pos:]))
				pos += 8
			case 6:
				if pos >= len(data) {
					return nil, bad
				}
				vals[i] = data[pos] == 1
				pos++
			case 7:
				l, ok := uv()
				if !ok || l > uint64(len(data)-pos) {
					return nil, bad
				}
				var t time.Time
				if err := t.UnmarshalBinary(data[pos : pos+int(l)]); err != nil {
					return nil, bad
				}
				vals[i] = t
				pos += int(l)
			default:
				return nil, bad
			}
		}
		t := f.Targets[ti]
		rows[t] = append(rows[t], vals)
	}
	return rows, nil
}
