package web

import (
	"net/http"
	"testing"
)

// BenchmarkSignalerSubmit measures one valid submission through the app
// (multipart parse, validation, académie lookup, one transaction with the
// outbox email, 303), with a 1 Mo PNG attachment and without.
func BenchmarkSignalerSubmit(b *testing.B) {
	app, _ := signalerApp(b, nil)
	fs, _ := openForm(b, app, "")
	piece := append(pngBytes(b), make([]byte, 1<<20)...)
	for _, withPiece := range []bool{false, true} {
		name := "sans-piece"
		if withPiece {
			name = "piece-1Mo"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				var u *upload
				if withPiece {
					u = &upload{"capture.png", "image/png", piece}
				}
				if r := postForm(b, app, fs, validFields(), u); r.StatusCode != http.StatusSeeOther {
					b.Fatalf("status %d", r.StatusCode)
				}
			}
		})
	}
}
