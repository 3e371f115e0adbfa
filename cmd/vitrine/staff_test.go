package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestStaffCommand: vitrine staff add (password from stdin, or generated
// and printed once), list, disable, reset-totp, against a real database.
func TestStaffCommand(t *testing.T) {
	u := testdb.URL(t, "cmd_staff")
	t.Setenv("DATABASE_URL", u)
	ctx := context.Background()
	run := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := cmdStaff(ctx, args, strings.NewReader(stdin), &out)
		return out.String(), err
	}
	hashOf := func(email string) (hash string, disabled bool) {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, `SELECT password_hash, disabled FROM staff WHERE email = $1`, email).Scan(&hash, &disabled); err != nil {
			t.Fatal(err)
		}
		return
	}
	out, err := run("un mot de passe assez long\n", "add", "--email", "Modo@Example.gouv.fr", "--role", "moderateur")
	if err != nil || strings.Contains(out, "mot de passe (affiché") {
		t.Fatalf("add from stdin: %v\n%s", err, out)
	}
	h, _ := hashOf("modo@example.gouv.fr")
	if ok, err := argon2id.ComparePasswordAndHash("un mot de passe assez long", h); !ok || err != nil {
		t.Errorf("stdin password not the one hashed (%q)", h)
	}
	out, err = run("", "add", "--email", "relais@ac-rennes.fr", "--role", "relais", "--academie", "14", "--academie", "10")
	if err != nil {
		t.Fatal(err)
	}
	_, pw, ok := strings.Cut(out, "mot de passe (affiché une seule fois) : ")
	pw, _, _ = strings.Cut(pw, "\n")
	if !ok || len(pw) < 16 {
		t.Fatalf("generated password not printed:\n%s", out)
	}
	h, _ = hashOf("relais@ac-rennes.fr")
	if ok, _ := argon2id.ComparePasswordAndHash(pw, h); !ok || !strings.HasPrefix(h, "$argon2id$") {
		t.Error("printed password does not match the stored hash")
	}
	if _, err := run("", "add", "--email", "relais@ac-rennes.fr", "--role", "relais", "--academie", "14"); err == nil {
		t.Error("duplicate email accepted")
	}
	for _, args := range [][]string{
		{"add", "--email", "x@y.fr"},
		{"add", "--email", "x@y.fr", "--role", "relais"},
		{"add", "--email", "pas-une-adresse", "--role", "admin"},
		{"disable"},
		{"frobnicate"},
	} {
		_, err := run("", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, err := run("court\n", "add", "--email", "z@y.fr", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "12 caractères") {
		t.Errorf("short password: %v", err)
	}
	out, err = run("", "list")
	if err != nil || !strings.Contains(out, "relais@ac-rennes.fr") || !strings.Contains(out, "14,10") {
		t.Errorf("list: %v\n%s", err, out)
	}
	if _, err := run("", "disable", "--email", "modo@example.gouv.fr"); err != nil {
		t.Fatal(err)
	}
	if _, disabled := hashOf("modo@example.gouv.fr"); !disabled {
		t.Error("not disabled")
	}
	if _, err := run("", "reset-totp", "--email", "absent@example.fr"); err == nil {
		t.Error("unknown account accepted")
	}
}
