package importer

import (
	"bytes"
	"io"
)

// DecodeText decodes an uploaded text (a partner's catalogue for the
// coverage analyser) with the importer's strict rules: UTF-8 with or
// without BOM, else Windows-1252 when the text holds no multi-byte UTF-8
// sequence at all; mixed encodings, UTF-16, binary content and lines over
// 1 MiB are refused with a French message that starts with name and the
// line. enc is "utf-8", "utf-8-bom" or "windows-1252".
func DecodeText(b []byte, name string) (text string, enc string, err error) {
	d := newDecoder(bytes.NewReader(b), name)
	out, err := io.ReadAll(d)
	if err != nil {
		return "", "", err
	}
	return string(out), d.enc.String(), nil
}
