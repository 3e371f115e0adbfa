package importer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"42", 42, true}, {"0", 0, true}, {"-4", -4, true}, {"+7", 7, true},
		{"42.0", 42, true}, {"-4.0", -4, true}, {"30.00", 30, true}, {"42,0", 42, true}, // ODS doubles
		{"42.5", 0, false}, {"42.", 0, false}, {".0", 0, false}, {"", 0, false}, {"-", 0, false},
		{"1e2", 0, false}, {"0x10", 0, false}, {"0x1p4", 0, false}, {"NaN", 0, false}, {"Inf", 0, false},
		{"4_2", 0, false}, {"٤٢", 0, false}, {"1234567890", 0, false}, {"42 ", 0, false}, {"--4", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseNumber(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTruncKeepsUTF8(t *testing.T) {
	s := strings.Repeat("é", 100) // 2 bytes each
	for n := 2; n < 60; n++ {
		got := trunc(s, n)
		if !utf8.ValidString(got) || len(got) > n+len("…") {
			t.Fatalf("trunc(…, %d) = %q", n, got)
		}
	}
}

func TestDateKey(t *testing.T) {
	for in, want := range map[string]string{"26/11/2024": "20241126", " 01/09/1995 ": "19950901", "2024-11-26": "", "1/9/1995": "", "": ""} {
		if got := dateKey(in); got != want {
			t.Errorf("dateKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRejectedRowClaimsNoKey: a row refused because of a duplicate on a
// secondary target must not make a later row with the same primary key a
// duplicate (it was never accepted).
func TestRejectedRowClaimsNoKey(t *testing.T) {
	a := &Target{Table: "test_a", Key: []string{"k"}, Cols: []string{"k"}}
	b := &Target{Table: "test_b", Key: []string{"k"}, Cols: []string{"k"}}
	f := &Format{Kind: "test_two_targets", Targets: []*Target{a, b},
		Match: func(header, string) bool { return false },
		Bind: func(header, string) (rowFunc, error) {
			return func(r *row) { r.emit(a, r.str(0)); r.emit(b, r.str(1)) }, nil
		}}
	registry = append(registry, f)
	t.Cleanup(func() { registry = registry[:len(registry)-1] })
	path := writeFile(t, t.TempDir(), "two.csv", lines("\n", "a;b", "x;1", "y;1", "y;2"))
	fr, err := parseFile(path, Options{Source: f.Kind})
	if err != nil {
		t.Fatal(err)
	}
	if fr.Rejected != 1 || len(fr.Rejects) != 1 || fr.Rejects[0].Line != 3 {
		t.Fatalf("rejects %v, want only line 3 (b=1 seen on line 2)", fr.Rejects)
	}
	if got := len(fr.parsed.rows[a]); got != 2 {
		t.Errorf("%d rows for the primary target, want 2 (x and y of line 4)", got)
	}
}
