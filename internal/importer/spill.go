package importer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"
)

// The rows the first pass validated, kept on disk for the load.
//
// The first pass over the files keeps only the hashes of the rows' keys in
// memory (bounded memory); the load needs the rows again. Reading and
// validating a file a second time cost as much CPU as the first time
// (~1.3 s of CPU for the demo data), competing with PostgreSQL for the
// machine's cores; the first pass therefore also writes the rows it kept,
// in a compact binary form, to a temporary file, which the load decodes (a
// few times cheaper) and closes. A value of a type the encoding does not know,
// or a file that cannot be written, makes the file be read again instead, as
// before. The temporary files are unlinked as soon as they are created:
// nothing is left behind, even by a killed import; the run closes those it
// did not load (spillSet).

// spillSet is the run's open spill files.
type spillSet struct {
	dir  string // "": os.TempDir()
	mu   sync.Mutex
	open map[*os.File]bool
}

func newSpillSet(dir string) *spillSet { return &spillSet{dir: dir, open: map[*os.File]bool{}} }

func (s *spillSet) add(f *os.File) {
	s.mu.Lock()
	s.open[f] = true
	s.mu.Unlock()
}

// close closes f (nil: nothing).
func (s *spillSet) close(f *os.File) {
	if f == nil {
		return
	}
	s.mu.Lock()
	delete(s.open, f)
	s.mu.Unlock()
	f.Close()
}

// closeAll closes the files of the run not read (a refused run).
func (s *spillSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for f := range s.open {
		f.Close()
	}
	s.open = map[*os.File]bool{}
}

// spillWriter encodes the rows of one file.
type spillWriter struct {
	set     *spillSet
	f       *os.File
	w       *bufio.Writer
	targets map[*Target]uint64
	buf     []byte
	err     error // the first failure: the spill is abandoned
}

var errSpillType = errors.New("type de valeur inconnu")

func newSpillWriter(set *spillSet, targets []*Target) *spillWriter {
	f, err := os.CreateTemp(set.dir, "vitrine-import-rows-*")
	if err != nil {
		return &spillWriter{err: err}
	}
	if err := os.Remove(f.Name()); err != nil { // open, unlinked
		f.Close()
		return &spillWriter{err: err}
	}
	set.add(f)
	s := &spillWriter{set: set, f: f, w: bufio.NewWriterSize(f, 1<<16), targets: map[*Target]uint64{}}
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

// close ends the file and returns it, open, or nil (and closes it) when
// the spill was abandoned.
func (s *spillWriter) close() *os.File {
	f := s.f
	if f == nil {
		return nil
	}
	s.f = nil // close is idempotent
	if s.err == nil {
		s.err = s.w.Flush()
	}
	if s.err != nil {
		s.set.close(f)
		return nil
	}
	return f
}

// readSpill decodes the rows of a spill file, per target of f, and closes
// the file.
func readSpill(set *spillSet, file *os.File, f *Format) (map[*Target][][]any, error) {
	defer set.close(file)
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	path := file.Name()
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
