package importer

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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

// source is one input file, decompressed and decoded to UTF-8.
type source struct {
	Path     string // as given
	Name     string // base name without .gz
	SHA256   string // of the bytes on disk
	Encoding string // utf-8, utf-8-bom, windows-1252
	Text     string
	Size     int64
}

// readSource reads, decompresses and decodes one file. The errors say, in
// French, what is wrong with the file as a whole.
func readSource(path string) (*source, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: lecture impossible: %w", path, err)
	}
	sum := sha256.Sum256(raw)
	s := &source{Path: path, Name: filepath.Base(path), SHA256: hex.EncodeToString(sum[:]), Size: int64(len(raw))}
	if strings.HasSuffix(strings.ToLower(s.Name), ".gz") {
		s.Name = s.Name[:len(s.Name)-3]
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: archive gzip illisible: %v", path, err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, maxFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("%s: archive gzip tronquée ou corrompue: %v", path, err)
		}
	}
	if len(raw) > maxFileSize {
		return nil, fmt.Errorf("%s: fichier trop volumineux (plus de %d Mo)", path, maxFileSize>>20)
	}
	text, enc, err := decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	s.Text, s.Encoding = text, enc
	if strings.TrimSpace(s.Text) == "" {
		return nil, fmt.Errorf("%s: fichier vide", path)
	}
	return s, nil
}

var errBinary = errors.New("fichier binaire ou encodage non reconnu (octet nul) : un fichier texte CSV ou JSON est attendu")

// decode detects UTF-8 (with or without BOM) and Windows-1252.
func decode(raw []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		return "", "", errors.New("encodage UTF-16 non pris en charge : enregistrez le fichier en UTF-8")
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return "", "", errBinary
	}
	enc := "utf-8"
	if bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
		raw = raw[3:]
		enc = "utf-8-bom"
	}
	if utf8.Valid(raw) {
		return string(raw), enc, nil
	}
	if enc == "utf-8-bom" {
		return "", "", errors.New("encodage incohérent : le fichier annonce UTF-8 (BOM) mais contient des octets invalides")
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		return "", "", fmt.Errorf("encodage non reconnu: %v", err)
	}
	// Windows-1252 leaves 5 bytes undefined; the decoder maps them to U+FFFD.
	if bytes.ContainsRune(out, utf8.RuneError) {
		return "", "", errors.New("encodage non reconnu : ni UTF-8 ni Windows-1252")
	}
	// Control characters other than tab/CR/LF betray a binary file.
	for _, b := range out {
		if b < 0x20 && b != '\t' && b != '\r' && b != '\n' {
			return "", "", errBinary
		}
	}
	return string(out), "windows-1252", nil
}
