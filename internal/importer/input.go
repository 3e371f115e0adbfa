package importer

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// maxFileSize bounds what one file may decompress to (the largest real
// source is ~25 MB).
const maxFileSize = 512 << 20

// maxLine bounds one physical line (the longest real one is 1.3 KB; a JSON
// file may be one line and is bounded per record instead), and maxRecord one
// record (a CSV record whose quoted fields span lines, a JSON object). A
// longer line or record is a broken file: it is refused as soon as the limit
// is reached, so memory stays bounded whatever the file holds.
const (
	maxLine   = 1 << 20
	maxRecord = 1 << 20
)

// source is one input file being read: decompressed and decoded to UTF-8 as
// it streams (nothing holds the whole file).
type source struct {
	Path string // as given
	Name string // base name without .gz
	Size int64  // bytes on disk

	f   *os.File
	raw *rawReader
	dec *decoder
	r   *bufio.Reader // the decoded text
}

// openSource opens one file for reading. The errors say, in French, what is
// wrong with the file as a whole.
func openSource(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: lecture impossible: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: lecture impossible: %w", path, err)
	}
	s := &source{Path: path, Name: filepath.Base(path), Size: st.Size(), f: f,
		raw: &rawReader{r: f, h: sha256.New()}}
	var text io.Reader = s.raw
	if strings.HasSuffix(strings.ToLower(s.Name), ".gz") {
		s.Name = s.Name[:len(s.Name)-3]
		zr, err := gzip.NewReader(s.raw)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: archive gzip illisible: %v", path, err)
		}
		text = &gzipReader{r: zr, path: path}
	}
	s.dec = newDecoder(text, path)
	s.r = bufio.NewReaderSize(s.dec, 64<<10)
	return s, nil
}

// Close releases the file.
func (s *source) Close() { s.f.Close() }

// Encoding is the encoding the decoder settled on: utf-8 (plain ASCII
// included), utf-8-bom or windows-1252.
func (s *source) Encoding() string { return s.dec.enc.String() }

// SHA256 reads what is left of the file on disk (a gzip trailer, data after
// the end of a JSON document) and returns the digest of all its bytes.
func (s *source) SHA256() (string, error) {
	if _, err := io.Copy(io.Discard, s.raw); err != nil {
		return "", fmt.Errorf("%s: lecture impossible: %w", s.Path, err)
	}
	return hex.EncodeToString(s.raw.h.Sum(nil)), nil
}

// Progress is the share of the file on disk read so far (0–1).
func (s *source) Progress() float64 {
	if s.Size == 0 {
		return 1
	}
	return float64(s.raw.n) / float64(s.Size)
}

// rawReader counts and hashes the bytes read from disk.
type rawReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (r *rawReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	r.h.Write(p[:n])
	return n, err
}

// gzipReader says in French that an archive is damaged.
type gzipReader struct {
	r    io.Reader
	path string
}

func (g *gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: archive gzip tronquée ou corrompue: %v", g.path, err)
	}
	return n, err
}

// encoding is what the decoder knows of a file's encoding.
type encoding int

const (
	encASCII   encoding = iota // nothing but ASCII so far
	encUTF8                    // a valid multi-byte UTF-8 sequence was seen
	encUTF8BOM                 // the file starts with the UTF-8 BOM
	enc1252                    // a byte that is not UTF-8 was seen, and no multi-byte UTF-8 sequence before it
)

func (e encoding) String() string {
	switch e {
	case encUTF8BOM:
		return "utf-8-bom"
	case enc1252:
		return "windows-1252"
	}
	return "utf-8"
}

// cp1252 maps every byte to its Windows-1252 character; the five bytes
// Windows-1252 leaves undefined map to utf8.RuneError.
var cp1252 = func() (t [256]rune) {
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(i))
	}
	return t
}()

// decoder turns the bytes of a file into UTF-8 text as they stream, and
// refuses, with the line and the byte offset, what would be decoded wrong:
//
//   - a file is UTF-8 when it all decodes as UTF-8 (with or without BOM);
//   - it is Windows-1252 only when it holds no valid multi-byte UTF-8
//     sequence at all: a file that has both valid UTF-8 sequences and bytes
//     that are not UTF-8 mixes encodings, whichever comes first, and is
//     refused;
//   - NUL and control characters (other than tab, CR, LF) betray a binary
//     file; the first 8 KiB are checked for them before anything else;
//   - a line longer than maxLine is refused (a CR-only file, whose lines never
//     end, is named as such).
type decoder struct {
	src  io.Reader
	path string
	enc  encoding
	// maxLine bounds a line (0: no bound, for JSON).
	maxLine int

	buf   []byte // raw bytes; buf[:carry] is an incomplete sequence kept from the last read
	carry int
	out   []byte // decoded bytes not yet returned
	pos   int

	off     int64 // offset in the decompressed file of buf[0]
	total   int64 // decompressed bytes read
	line    int   // line of the next byte to scan (1-based)
	lineLen int   // bytes of the current line scanned by earlier reads
	bareCR  int   // CRs not followed by LF on the current line
	first   bool  // nothing read yet
	eof     bool
	err     error

	// bad1252 is the first byte that is not UTF-8 once enc is enc1252.
	bad1252 struct {
		line int
		off  int64
		b    byte
	}
}

const sniffLen = 8 << 10

func newDecoder(src io.Reader, path string) *decoder {
	return &decoder{src: src, path: path, maxLine: maxLine, buf: make([]byte, 64<<10), line: 1, first: true}
}

func (d *decoder) Read(p []byte) (int, error) {
	for d.pos == len(d.out) {
		if d.err != nil {
			return 0, d.err
		}
		d.fill()
	}
	n := copy(p, d.out[d.pos:])
	d.pos += n
	return n, nil
}

// fill reads the next chunk and decodes it into out; it sets err at the end
// of the file or on the first problem (then out is empty: the file is
// refused whole, nothing after the problem is read).
func (d *decoder) fill() {
	d.out, d.pos = d.out[:0], 0
	var n int
	var err error
	if d.first {
		n, err = io.ReadFull(d.src, d.buf[:sniffLen])
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
	} else {
		n, err = d.src.Read(d.buf[d.carry:])
		n += d.carry
		d.carry = 0
	}
	switch {
	case err == io.EOF:
		d.eof = true
	case err != nil:
		d.err = err
		return
	}
	d.total += int64(n)
	if d.total > maxFileSize {
		d.err = fmt.Errorf("%s: fichier trop volumineux (plus de %d Mo)", d.path, maxFileSize>>20)
		return
	}
	b := d.buf[:n]
	start := 0
	if d.first {
		d.first = false
		if bytesHasPrefix(b, "\xff\xfe") || bytesHasPrefix(b, "\xfe\xff") {
			d.err = fmt.Errorf("%s: encodage UTF-16 non pris en charge : enregistrez le fichier en UTF-8", d.path)
			return
		}
		if err := d.sniff(b); err != nil {
			d.err = err
			return
		}
		if bytesHasPrefix(b, "\xef\xbb\xbf") {
			d.enc = encUTF8BOM
			start = 3
			d.off = 3
		}
	}
	// d.off is the offset of b[start], the first byte scanned.
	used, err := d.scan(b[start:], d.eof)
	if err != nil {
		d.out, d.err = d.out[:0], err
		return
	}
	d.carry = copy(d.buf, b[start+used:])
	d.off += int64(used)
	if d.eof {
		d.err = io.EOF
	}
}

func bytesHasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// sniff refuses a file whose first bytes hold NUL or control characters
// (before any encoding question: a binary file is said to be one).
func (d *decoder) sniff(b []byte) error {
	line := 1
	for i, c := range b {
		switch {
		case c == '\n':
			line++
		case c < 0x20 && c != '\t' && c != '\r':
			return d.controlError(line, int64(i), c)
		}
	}
	return nil
}

func (d *decoder) controlError(line int, off int64, c byte) error {
	if c == 0 {
		return fmt.Errorf("%s:%d: fichier binaire ou encodage non reconnu (octet nul à l'octet %d) : un fichier texte CSV ou JSON est attendu", d.path, line, off)
	}
	return fmt.Errorf("%s:%d: fichier binaire ou encodage non reconnu (caractère de contrôle 0x%02X à l'octet %d) : un fichier texte CSV ou JSON est attendu", d.path, line, c, off)
}

// scan decodes b into out and returns how many bytes it used: all of them,
// except an incomplete multi-byte sequence at the end when more follows.
func (d *decoder) scan(b []byte, atEOF bool) (int, error) {
	seg := 0       // start of the bytes to copy as they are
	lineStart := 0 // start of the current line in b
	i := 0
	for i < len(b) {
		c := b[i]
		if c >= 0x20 && c < 0x80 {
			i++
			continue
		}
		switch {
		case c == '\n':
			if err := d.checkLine(d.lineLen + i - lineStart); err != nil {
				return 0, err
			}
			d.line++
			d.lineLen, d.bareCR = 0, 0
			i++
			lineStart = i
		case c == '\r':
			if i+1 < len(b) && b[i+1] != '\n' {
				d.bareCR++
			}
			i++
		case c == '\t':
			i++
		case c < 0x20:
			return 0, d.controlError(d.line, d.off+int64(i), c)
		default: // c >= 0x80
			if !atEOF && !utf8.FullRune(b[i:]) {
				d.out = append(d.out, b[seg:i]...)
				d.lineLen += i - lineStart
				return i, d.checkLine(d.lineLen)
			}
			_, size := utf8.DecodeRune(b[i:])
			if d.enc == enc1252 {
				if size > 1 {
					bad := d.bad1252
					return 0, fmt.Errorf("%s:%d: octet 0x%02X invalide en UTF-8 à l'octet %d : le fichier mélange des encodages (UTF-8 valide ligne %d, octet %d) ; réenregistrez-le en UTF-8",
						d.path, bad.line, bad.b, bad.off, d.line, d.off+int64(i))
				}
				r := cp1252[c]
				if r == utf8.RuneError {
					return 0, fmt.Errorf("%s:%d: octet 0x%02X à l'octet %d : encodage non reconnu : ni UTF-8 ni Windows-1252", d.path, d.line, c, d.off+int64(i))
				}
				d.out = append(d.out, b[seg:i]...)
				d.out = utf8.AppendRune(d.out, r)
				i++
				seg = i
				continue
			}
			if size > 1 {
				if d.enc == encASCII {
					d.enc = encUTF8
				}
				i += size
				continue
			}
			switch d.enc {
			case encUTF8BOM:
				return 0, fmt.Errorf("%s:%d: octet 0x%02X invalide en UTF-8 à l'octet %d : encodage incohérent : le fichier annonce UTF-8 (BOM) mais contient des octets invalides ; réenregistrez-le en UTF-8",
					d.path, d.line, c, d.off+int64(i))
			case encUTF8:
				return 0, fmt.Errorf("%s:%d: octet 0x%02X invalide en UTF-8 à l'octet %d : le fichier mélange des encodages ; réenregistrez-le en UTF-8",
					d.path, d.line, c, d.off+int64(i))
			}
			// Only ASCII so far: the file is Windows-1252 (as long as
			// no valid UTF-8 sequence follows); c is decoded as such
			// on the next turn.
			d.enc = enc1252
			d.bad1252.line, d.bad1252.off, d.bad1252.b = d.line, d.off+int64(i), c
		}
	}
	d.out = append(d.out, b[seg:]...)
	d.lineLen += len(b) - lineStart
	return len(b), d.checkLine(d.lineLen)
}

// checkLine refuses a line of n bytes when it is over the limit.
func (d *decoder) checkLine(n int) error {
	if d.maxLine <= 0 || n <= d.maxLine {
		return nil
	}
	if d.bareCR > 0 {
		return fmt.Errorf("%s:%d: fins de ligne CR seules (Mac classique) : convertissez en LF ou CRLF", d.path, d.line)
	}
	return fmt.Errorf("%s:%d: ligne trop longue : plus de %d octets sans fin de ligne (au plus %d Mio par ligne) : fichier corrompu, ou qui n'est pas un CSV",
		d.path, d.line, d.maxLine, d.maxLine>>20)
}

// errCROnly is the message of a file whose lines end with CR alone.
const errCROnly = "fins de ligne CR seules (Mac classique) : convertissez en LF ou CRLF"

// budgetReader bounds what one record may read: reset before each record,
// it fails once limit bytes (plus what the reader above buffers) were read.
type budgetReader struct {
	r     io.Reader
	left  int
	limit int
}

var errRecordTooLong = errors.New("enregistrement trop long")

func newBudget(r io.Reader, limit int) *budgetReader {
	// The CSV and JSON readers read ahead by up to 64 KiB.
	return &budgetReader{r: r, limit: limit + 64<<10, left: limit + 64<<10}
}

func (b *budgetReader) reset() { b.left = b.limit }

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errRecordTooLong
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}
