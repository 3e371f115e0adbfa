package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// The back-office workflow (issue 11): the list of requests with its
// filters and bulk change, the detail page and its actions, the CSV export
// for the producers. A relais sees only the requests of its académies:
// lists are filtered in SQL, and any other request answers 403.

// staffPerPage is the page size of the list.
const staffPerPage = 50

// staffPage is the common part of the back-office pages.
type staffPage struct {
	basePage
	Me   model.StaffMember
	CSRF string
	// Notice is a message shown once at the top (success of an action).
	Notice string
	Error  string
}

func (s *Server) newStaffPage(c *fiber.Ctx, title, path string) staffPage {
	ss := currentStaff(c)
	return staffPage{basePage: s.staffBase(title, path), Me: ss.Staff, CSRF: ss.CSRF}
}

func actorOf(c *fiber.Ctx) store.Actor {
	m := currentStaff(c).Staff
	return store.Actor{StaffID: m.ID, Email: m.Email}
}

// signalementRow is one request in the list.
type signalementRow struct {
	model.Signalement
	Date, StatutLabel, CategorieLabel, Assigne string
	Extrait                                    string
}

type staffListPage struct {
	staffPage
	F          listFilter
	Rows       []signalementRow
	Total      int
	Page, Last int
	PrevURL    string
	NextURL    string
	CSVURL     string
	Statuts    []model.Categorie
	Categories []model.Categorie
	// Result is what a bulk change did.
	Result []string
}

// listFilter is the filter form as submitted (strings, for re-display).
type listFilter struct {
	Statut, Categorie, Academie, UAI, Du, Au, Q string
}

func (f listFilter) query() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"statut": f.Statut, "categorie": f.Categorie, "academie": f.Academie, "uai": f.UAI, "du": f.Du, "au": f.Au, "q": f.Q} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// readListFilter reads the filters of the list and the export; a bad
// value is a 400 that names it.
func readListFilter(c *fiber.Ctx, me model.StaffMember) (listFilter, store.SignalementFilter, error) {
	f := listFilter{Statut: textParam(c, "statut", 40), Categorie: textParam(c, "categorie", 40), Academie: textParam(c, "academie", 3),
		UAI: textParam(c, "uai", 8), Du: textParam(c, "du", 10), Au: textParam(c, "au", 10), Q: strings.TrimSpace(textParam(c, "q", 200))}
	sf := store.SignalementFilter{Statut: f.Statut, Categorie: f.Categorie, Academie: f.Academie, Q: f.Q, Academies: me.AcademieFilter()}
	if f.Statut != "" && model.SignalementStatutLabel(f.Statut) == "" {
		return f, sf, errBadRequest("statut inconnu " + quoteParam(f.Statut))
	}
	if f.Categorie != "" && model.CategorieLabel(f.Categorie) == "" {
		return f, sf, errBadRequest("catégorie inconnue " + quoteParam(f.Categorie))
	}
	if f.Academie != "" && strings.Trim(f.Academie, "0123456789") != "" {
		return f, sf, errBadRequest("le code d'académie est fait de chiffres (reçu " + quoteParam(f.Academie) + ")")
	}
	if f.UAI != "" {
		u, err := model.NormalizeUAI(f.UAI)
		if err != nil {
			return f, sf, errBadRequest("UAI invalide " + quoteParam(f.UAI))
		}
		f.UAI, sf.UAI = u, u
	}
	for _, d := range []struct {
		name, v string
		dst     *time.Time
	}{{"du", f.Du, &sf.Du}, {"au", f.Au, &sf.Au}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.v, paris)
		if err != nil {
			return f, sf, errBadRequest(fmt.Sprintf("la date « %s » doit s'écrire AAAA-MM-JJ (reçu %s)", d.name, quoteParam(d.v)))
		}
		*d.dst = t
	}
	return f, sf, nil
}

// staffSignalements is GET /staff/signalements.
func (s *Server) staffSignalements(c *fiber.Ctx) error {
	return s.renderList(c, fiber.StatusOK, nil)
}

func (s *Server) renderList(c *fiber.Ctx, status int, result []string) error {
	me := currentStaff(c).Staff
	f, sf, err := readListFilter(c, me)
	if err != nil {
		return err
	}
	page, err := pageParam(c, "page")
	if err != nil {
		return err
	}
	sf.Limit, sf.Offset = staffPerPage, (page-1)*staffPerPage
	rows, total, err := s.store.Signalements(c.UserContext(), sf)
	if err != nil {
		return err
	}
	names, err := s.staffNames(c)
	if err != nil {
		return err
	}
	p := &staffListPage{staffPage: s.newStaffPage(c, "Signalements", "/staff/signalements"), F: f, Total: total, Page: page,
		Statuts: model.SignalementStatuts, Categories: model.Categories, Result: result}
	p.Breadcrumb = []crumb{{Label: "Back-office", URL: "/staff/signalements"}, {Label: "Signalements", URL: "/staff/signalements"}}
	p.Last = max(1, (total+staffPerPage-1)/staffPerPage)
	q := f.query()
	if page > 1 {
		q.Set("page", strconv.Itoa(page-1))
		p.PrevURL = "/staff/signalements?" + q.Encode()
	}
	if page < p.Last {
		q.Set("page", strconv.Itoa(page+1))
		p.NextURL = "/staff/signalements?" + q.Encode()
	}
	q.Del("page")
	p.CSVURL = "/staff/signalements.csv"
	if len(q) > 0 {
		p.CSVURL += "?" + q.Encode()
	}
	for _, g := range rows {
		r := signalementRow{Signalement: g, Date: frenchDate(g.CreatedAt), StatutLabel: model.SignalementStatutLabel(g.Statut),
			CategorieLabel: model.CategorieLabel(g.Categorie), Extrait: cutRunes(g.Message, 140)}
		if g.AssigneA != nil {
			r.Assigne = names[*g.AssigneA]
		}
		p.Rows = append(p.Rows, r)
	}
	return s.renderStaff(c, status, "staff/signalements", p)
}

// staffNames maps staff ids to emails.
func (s *Server) staffNames(c *fiber.Ctx) (map[int64]string, error) {
	list, err := s.store.StaffList(c.UserContext())
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(list))
	for _, x := range list {
		m[x.ID] = x.Email
	}
	return m, nil
}

// staffSignalementsCSV is GET /staff/signalements.csv: the filtered
// requests for the producers (DEPP, SIES). No personal data (name, email,
// role, consent) is exported, whatever the role: the export leaves the
// back-office.
func (s *Server) staffSignalementsCSV(c *fiber.Ctx) error {
	_, sf, err := readListFilter(c, currentStaff(c).Staff)
	if err != nil {
		return err
	}
	sf.Limit = 100_000
	rows, _, err := s.store.Signalements(c.UserContext(), sf)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.UseCRLF = true
	_ = w.Write([]string{"numero", "date", "statut", "categorie", "uai", "code_formation", "millesime", "academie", "page",
		"message", "valeur_correcte", "motif_public", "doublon_de", "clos_le"})
	for _, g := range rows {
		closed := ""
		if g.ClosedAt != nil {
			closed = g.ClosedAt.In(paris).Format("2006-01-02")
		}
		_ = w.Write([]string{g.Numero, g.CreatedAt.In(paris).Format("2006-01-02 15:04"), model.SignalementStatutLabel(g.Statut),
			model.CategorieLabel(g.Categorie), g.UAI, g.Code, g.Millesime, g.Academie, g.Page,
			csvSafe(g.Message), csvSafe(g.ValeurCorrecte), csvSafe(g.MotifPublic), g.DoublonDe, closed})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="signalements-`+time.Now().In(paris).Format("2006-01-02")+`.csv"`)
	return c.Send(b.Bytes())
}

// csvSafe defuses a free text a spreadsheet would run as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// loadVisible loads the request of :numero and checks that the member may
// see it (404 when it does not exist, 403 when it is another académie's).
func (s *Server) loadVisible(c *fiber.Ctx, numero string) (model.Signalement, error) {
	numero = strings.ToUpper(strings.TrimSpace(numero))
	if !model.ValidNumero(numero) {
		return model.Signalement{}, errNotFound("numero_invalide", "Ce numéro de signalement n'a pas la forme SIG-AAAA-XXXXXX.")
	}
	g, err := s.store.SignalementByNumero(c.UserContext(), numero)
	if errors.Is(err, model.ErrNotFound) {
		return g, errNotFound("signalement_inconnu", "Aucun signalement ne porte le numéro "+numero+".")
	}
	if err != nil {
		return g, err
	}
	if !currentStaff(c).Staff.CanSeeSignalement(g.Academie) {
		return g, errStaffForbidden
	}
	return g, nil
}

type staffDetailPage struct {
	staffPage
	G              model.Signalement
	StatutLabel    string
	CategorieLabel string
	RoleLabel      string
	Date, Closed   string
	Piece          string
	Events         []eventView
	Targets        []model.Categorie
	Staff          []model.StaffMember
	Assigne        string
	Emails         []emailView
}

// emailView is one email to the submitter and what became of it.
type emailView struct {
	Date, Destinataire, Sujet, Etat string
}

type eventView struct {
	model.SignalementEvenement
	Date, Label string
}

func eventLabel(e model.SignalementEvenement) string {
	switch e.Nature {
	case "depot":
		return "Dépôt du signalement"
	case "statut":
		return "Statut : " + model.SignalementStatutLabel(e.DeStatut) + " → " + model.SignalementStatutLabel(e.VersStatut)
	case "note":
		return "Note interne"
	case "assignation":
		return "Assignation"
	case "avis_public":
		return "Avis public"
	case "purge":
		return "Effacement des données personnelles"
	}
	return e.Nature
}

// staffSignalement is GET /staff/signalements/:numero.
func (s *Server) staffSignalement(c *fiber.Ctx) error {
	g, err := s.loadVisible(c, c.Params("numero"))
	if err != nil {
		return err
	}
	return s.renderDetail(c, fiber.StatusOK, g, c.Query("fait") == "1", "")
}

func (s *Server) renderDetail(c *fiber.Ctx, status int, g model.Signalement, done bool, msg string) error {
	ctx := c.UserContext()
	evs, err := s.store.SignalementEvenements(ctx, g.ID)
	if err != nil {
		return err
	}
	piece, _, err := s.store.HasSignalementPiece(ctx, g.ID)
	if err != nil {
		return err
	}
	staff, err := s.store.StaffList(ctx)
	if err != nil {
		return err
	}
	mails, err := s.store.SignalementOutbox(ctx, g.ID)
	if err != nil {
		return err
	}
	p := &staffDetailPage{staffPage: s.newStaffPage(c, "Signalement "+g.Numero, "/staff/signalements/"+g.Numero), G: g,
		StatutLabel: model.SignalementStatutLabel(g.Statut), CategorieLabel: model.CategorieLabel(g.Categorie),
		Date: frenchDate(g.CreatedAt), Piece: piece}
	p.Breadcrumb = []crumb{{Label: "Signalements", URL: "/staff/signalements"}, {Label: g.Numero, URL: "/staff/signalements/" + g.Numero}}
	p.Error = msg
	if done {
		p.Notice = "La modification est enregistrée."
	}
	for _, r := range model.DeclarantRoles {
		if r.Code == g.Role {
			p.RoleLabel = r.Libelle
		}
	}
	if g.ClosedAt != nil {
		p.Closed = frenchDate(*g.ClosedAt)
	}
	for _, e := range evs {
		p.Events = append(p.Events, eventView{SignalementEvenement: e, Date: frenchDate(e.At), Label: eventLabel(e)})
	}
	for _, m := range mails {
		etat := "en attente d'envoi"
		switch {
		case m.EnvoyeAt != nil:
			etat = "envoyé le " + frenchDate(*m.EnvoyeAt)
		case m.Abandonne:
			etat = fmt.Sprintf("abandonné après %d essai%s : %s", m.Tentatives, pluralS(m.Tentatives), m.Erreur)
		case m.Tentatives > 0:
			etat = fmt.Sprintf("en attente (%d essai%s : %s)", m.Tentatives, pluralS(m.Tentatives), m.Erreur)
		}
		p.Emails = append(p.Emails, emailView{Date: frenchDate(m.CreatedAt), Destinataire: m.Destinataire, Sujet: m.Sujet, Etat: etat})
	}
	for _, st := range model.SignalementStatuts {
		if model.SignalementTransition(g.Statut, st.Code, "x", "x") == nil {
			p.Targets = append(p.Targets, st)
		}
	}
	for _, m := range staff {
		if !m.Disabled && m.CanSeeSignalement(g.Academie) {
			p.Staff = append(p.Staff, m)
		}
		if g.AssigneA != nil && *g.AssigneA == m.ID {
			p.Assigne = m.Email
		}
	}
	return s.renderStaff(c, status, "staff/signalement", p)
}

// afterAction answers a detail action: 303 back to the page, or the page
// again with the refusal (422) when the workflow says no.
func (s *Server) afterAction(c *fiber.Ctx, g model.Signalement, err error) error {
	var re *store.RefusedError
	if errors.As(err, &re) {
		g2, lerr := s.store.SignalementByNumero(c.UserContext(), g.Numero)
		if lerr != nil {
			return lerr
		}
		return s.renderDetail(c, fiber.StatusUnprocessableEntity, g2, false, re.Error())
	}
	if err != nil {
		return err
	}
	return c.Redirect("/staff/signalements/"+g.Numero+"?fait=1", fiber.StatusSeeOther)
}

func formText(c *fiber.Ctx, name string, n int) string {
	return strings.TrimSpace(cutRunes(strings.ToValidUTF8(c.FormValue(name), "\uFFFD"), n))
}

// staffStatut is POST /staff/signalements/:numero/statut.
func (s *Server) staffStatut(c *fiber.Ctx) error {
	g, err := s.loadVisible(c, c.Params("numero"))
	if err != nil {
		return err
	}
	err = s.store.ChangeSignalementStatut(c.UserContext(), g.ID, actorOf(c), formText(c, "statut", 40),
		formText(c, "motif", 2000), formText(c, "original", 20), formText(c, "note", 5000), s.cfg.BaseURL)
	return s.afterAction(c, g, err)
}

// staffAssign is POST /staff/signalements/:numero/assignation.
func (s *Server) staffAssign(c *fiber.Ctx) error {
	g, err := s.loadVisible(c, c.Params("numero"))
	if err != nil {
		return err
	}
	v := formText(c, "staff", 20)
	var to *int64
	label := "personne"
	if v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return errBadRequest("membre de l'équipe invalide " + quoteParam(v))
		}
		m, err := s.store.StaffByID(c.UserContext(), id)
		if errors.Is(err, model.ErrNotFound) || (err == nil && (m.Disabled || !m.CanSeeSignalement(g.Academie))) {
			return s.afterAction(c, g, &store.RefusedError{Err: errors.New("ce membre de l'équipe ne peut pas recevoir ce signalement")})
		}
		if err != nil {
			return err
		}
		to, label = &id, m.Email
	}
	return s.afterAction(c, g, s.store.AssignSignalement(c.UserContext(), g.ID, actorOf(c), to, label))
}

// staffNote is POST /staff/signalements/:numero/note.
func (s *Server) staffNote(c *fiber.Ctx) error {
	g, err := s.loadVisible(c, c.Params("numero"))
	if err != nil {
		return err
	}
	return s.afterAction(c, g, s.store.AddSignalementNote(c.UserContext(), g.ID, actorOf(c), formText(c, "note", 5000)))
}

// staffAvis is POST /staff/signalements/:numero/avis.
func (s *Server) staffAvis(c *fiber.Ctx) error {
	g, err := s.loadVisible(c, c.Params("numero"))
	if err != nil {
		return err
	}
	return s.afterAction(c, g, s.store.SetSignalementAvisPublic(c.UserContext(), g.ID, actorOf(c), c.FormValue("avis") == "1"))
}

// staffPiece is GET /staff/signalements/:numero/piece: the attachment,
// always downloaded (never shown inline), under a policy that runs nothing.
func (s *Server) staffPiece(c *fiber.Ctx) error {
	g, err := s.loadVisible(c, c.Params("numero"))
	if err != nil {
		return err
	}
	p, err := s.store.SignalementPieceOf(c.UserContext(), g.ID)
	if errors.Is(err, model.ErrNotFound) {
		return errNotFound("piece_absente", "Ce signalement n'a pas de pièce jointe.")
	}
	if err != nil {
		return err
	}
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Set(fiber.HeaderContentType, p.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+safeFileName(p.Nom)+`"; filename*=UTF-8''`+url.PathEscape(p.Nom))
	return c.Send(p.Contenu)
}

// safeFileName keeps letters, digits, dot, dash and underscore (ASCII).
func safeFileName(n string) string {
	var b strings.Builder
	for _, r := range n {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "piece-jointe"
	}
	return b.String()
}

// staffBulk is POST /staff/signalements/lot: one status for the checked
// requests, each in its own transaction (one refusal does not stop the
// others); the list is shown again with what happened to each.
func (s *Server) staffBulk(c *fiber.Ctx) error {
	args := c.Request().PostArgs()
	var numeros []string
	for _, v := range args.PeekMulti("numero") {
		numeros = append(numeros, string(v))
	}
	to := formText(c, "statut", 40)
	motif := formText(c, "motif", 2000)
	if len(numeros) == 0 {
		return s.renderList(c, fiber.StatusUnprocessableEntity, []string{"Aucun signalement coché : rien n'a été modifié."})
	}
	if len(numeros) > staffPerPage {
		return errBadRequest(fmt.Sprintf("au plus %d signalements à la fois", staffPerPage))
	}
	var result []string
	done := 0
	for _, n := range numeros {
		g, err := s.loadVisible(c, n)
		if err != nil {
			result = append(result, cutRunes(n, 20)+" : "+asHTTPError(err).Message)
			continue
		}
		err = s.store.ChangeSignalementStatut(c.UserContext(), g.ID, actorOf(c), to, motif, "", "", s.cfg.BaseURL)
		var re *store.RefusedError
		switch {
		case errors.As(err, &re):
			result = append(result, g.Numero+" : "+re.Error())
		case err != nil:
			return err
		default:
			done++
		}
	}
	result = append([]string{fmt.Sprintf("%d signalement%s passé%s au statut « %s ».", done, pluralS(done), pluralS(done), model.SignalementStatutLabel(to))}, result...)
	return s.renderList(c, fiber.StatusOK, result)
}
