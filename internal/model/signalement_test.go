package model

import (
	"testing"
	"time"
)

func TestSignalementTransition(t *testing.T) {
	for _, c := range []struct {
		from, to, motif, doublon string
		ok                       bool
	}{
		{SignalementRecu, SignalementEnCours, "", "", true},
		{SignalementRecu, SignalementCorrige, "", "", true},
		{SignalementEnCours, SignalementTransmisProducteur, "", "", true},
		{SignalementTransmisProducteur, SignalementCorrige, "", "", true},
		{SignalementEnCours, SignalementRejete, "", "", false},
		{SignalementEnCours, SignalementRejete, "le chiffre est celui publié par la DEPP", "", true},
		{SignalementRecu, SignalementDoublon, "", "", false},
		{SignalementRecu, SignalementDoublon, "", "SIG-2026-7K3QX9", true},
		{SignalementCorrige, SignalementEnCours, "", "", true},
		{SignalementCorrige, SignalementRejete, "motif", "", false},
		{SignalementEnCours, SignalementRecu, "", "", false},
		{SignalementEnCours, SignalementEnCours, "", "", false},
		{SignalementEnCours, "supprime", "", "", false},
	} {
		err := SignalementTransition(c.from, c.to, c.motif, c.doublon)
		if (err == nil) != c.ok {
			t.Errorf("%s → %s (motif %q, doublon %q): err %v, want ok=%v", c.from, c.to, c.motif, c.doublon, err, c.ok)
		}
	}
}

func TestNumero(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		n, err := NewNumero(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if !ValidNumero(n) || n[:9] != "SIG-2026-" {
			t.Fatalf("%q is not a valid number", n)
		}
		if seen[n] {
			t.Fatalf("%q drawn twice in 1000 draws", n)
		}
		seen[n] = true
	}
	for _, bad := range []string{"", "SIG-2026-7K3QX", "SIG-2026-7K3QXO", "SIG-20A6-7K3QX9", "sig-2026-7k3qx9", "SIG-2026-7K3QX9 "} {
		if ValidNumero(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if !ValidNumero("SIG-2026-7K3QX9") {
		t.Error("the issue's example rejected")
	}
}
