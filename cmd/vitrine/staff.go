package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/web"
)

const staffUsage = `usage : vitrine staff <add|list|disable|enable|reset-totp> [options]

  add --email ADRESSE --role admin|moderateur|relais [--academie CODE]...
        crée un compte ; le mot de passe est lu sur l'entrée standard (une ligne)
        quand elle n'est pas un terminal, sinon il est tiré au hasard et affiché une fois.
        Le second facteur (TOTP) est enrôlé à la première connexion.
  list                     liste les comptes
  disable --email ADRESSE  désactive un compte (ses sessions sont fermées)
  enable --email ADRESSE   le réactive
  reset-totp --email ADRESSE
        oublie le second facteur (téléphone perdu) : il sera enrôlé à la prochaine connexion
`

// multiFlag is a repeatable string option.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// cmdStaff manages the back-office accounts.
func cmdStaff(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("sous-commande manquante"), func() { fmt.Fprint(os.Stderr, staffUsage) }}
	}
	sub, args := args[0], args[1:]
	fs := newFlags("staff "+sub, "vitrine staff "+sub+" [options]")
	email := fs.String("email", "", "adresse électronique du compte")
	var role string
	var academies multiFlag
	if sub == "add" {
		fs.StringVar(&role, "role", "", "rôle : admin, moderateur ou relais")
		fs.Var(&academies, "academie", "code d'académie d'un relais (répétable, ex. --academie 14 --academie 10)")
	}
	switch sub {
	case "add", "list", "disable", "enable", "reset-totp":
	case "-h", "--help", "help":
		fmt.Fprint(stdout, staffUsage)
		return errHelp
	default:
		return usageError{fmt.Errorf("sous-commande inconnue %q", sub), func() { fmt.Fprint(os.Stderr, staffUsage) }}
	}
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if sub != "list" && *email == "" {
		return usageError{errors.New("--email est obligatoire"), fs.Usage}
	}
	var password string
	var generated bool
	if sub == "add" {
		em, acs, err := model.NormalizeStaff(*email, role, academies)
		if err != nil {
			return usageError{err, fs.Usage}
		}
		*email, academies = em, acs
		password, generated, err = readPassword(stdin)
		if err != nil {
			return err
		}
	}
	_, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckMigrated(ctx); err != nil {
		return err
	}
	switch sub {
	case "add":
		hash, err := web.HashStaffPassword(password)
		if err != nil {
			return err
		}
		id, err := st.CreateStaff(ctx, *email, role, academies, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "compte n° %d créé : %s (%s)\n", id, *email, model.StaffRoleLabel(role))
		if generated {
			fmt.Fprintf(stdout, "mot de passe (affiché une seule fois) : %s\n", password)
		}
		fmt.Fprintln(stdout, "le second facteur sera enrôlé à la première connexion sur /staff/connexion")
		return nil
	case "list":
		list, err := st.StaffList(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "N°\tADRESSE\tRÔLE\tACADÉMIES\tTOTP\tÉTAT")
		for _, m := range list {
			state := "actif"
			if m.Disabled {
				state = "désactivé"
			}
			totp := "à enrôler"
			if m.TOTPEnrolled {
				totp = "enrôlé"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Email, m.Role, strings.Join(m.Academies, ","), totp, state)
		}
		return w.Flush()
	}
	cr, err := st.StaffCredentialsByEmail(ctx, *email)
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("aucun compte %s", *email)
	}
	if err != nil {
		return err
	}
	switch sub {
	case "disable":
		err = st.SetStaffDisabled(ctx, cr.ID, true)
	case "enable":
		err = st.SetStaffDisabled(ctx, cr.ID, false)
	case "reset-totp":
		err = st.ResetStaffTOTP(ctx, cr.ID)
	}
	if err == nil {
		fmt.Fprintf(stdout, "%s : fait (%s)\n", cr.Email, sub)
	}
	return err
}

// readPassword reads one line from stdin when it is not a terminal;
// otherwise (or on an empty line) it draws one.
func readPassword(stdin io.Reader) (string, bool, error) {
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return web.GenerateStaffPassword(), true, nil
		}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("lecture du mot de passe : %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return web.GenerateStaffPassword(), true, nil
	}
	if err := model.CheckStaffPassword(line); err != nil {
		return "", false, err
	}
	return line, false, nil
}
