package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// The public side of the correction requests (issue 11): the form
// /signaler, its submission, the status page /signalements/{numero} and
// the « données personnelles » page. The staff side is elsewhere.

// Body limits of /signaler: the attachment (5 Mo) and the fields. Between
// signalerBodyLimit and signalerTransportLimit the visitor gets the French
// 413 page; beyond, the transport refuses with a short French text.
const (
	signalerBodyLimit      = model.SignalementPieceMax + 256<<10
	signalerTransportLimit = signalerBodyLimit + 2<<20
)

// signalerURL is the prefilled « Signaler une erreur » link of a data
// page at path: establishment, pair, formation, région, académie ("" for
// other pages).
func signalerURL(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	q := url.Values{}
	switch {
	case len(segs) == 2 && segs[0] == "etablissements":
		q.Set("uai", segs[1])
	case len(segs) == 4 && segs[0] == "etablissements" && segs[2] == "formations":
		q.Set("uai", segs[1])
		q.Set("code", segs[3])
	case len(segs) == 2 && segs[0] == "formations":
		q.Set("code", segs[1])
	case len(segs) == 2 && (segs[0] == "regions" || segs[0] == "academies"):
	default:
		return ""
	}
	q.Set("page", path)
	return "/signaler?" + q.Encode()
}

// avisRoutes are the pages that show the notice of an open public request.
var avisRoutes = map[string]bool{
	"/etablissements/:uai": true, "/etablissements/:uai/formations/:code": true, "/formations/:code": true,
}

// avisSuffix is what the notice adds to the cache key of a page: the
// fingerprint of the open public requests, on the routes that show it.
func avisSuffix(c *fiber.Ctx, st dataState) string {
	if st.Avis == 0 || !avisRoutes[c.Route().Path] {
		return ""
	}
	return "#avis=" + strconv.FormatInt(st.Avis, 36)
}

// avisPage reports whether an open public request concerns the page of c.
func (s *Server) avisPage(c *fiber.Ctx) (bool, error) {
	var uai, code string
	if raw := c.Params("uai"); raw != "" {
		u, err := model.NormalizeUAI(raw)
		if err != nil {
			return false, nil
		}
		uai = u
	}
	if raw := c.Params("code"); raw != "" {
		k, _, err := model.ParseFormationCode(raw)
		if err != nil {
			return false, nil
		}
		code = k
	}
	return s.store.AvisSignalement(c.UserContext(), uai, code)
}

// signalerPage is the form, empty, prefilled or shown back with errors.
type signalerPage struct {
	basePage
	Form       model.SignalementInput
	Errors     []model.FieldError
	FieldError map[string]string
	// Alert is a refusal that is not a field's (429, 503, 403): title and
	// text.
	AlertTitle, Alert string
	// PieceRefused: a file was sent but the form is shown again: it must
	// be chosen again.
	PieceRefused bool
	CSRF         string
	Categories   []model.Categorie
	Roles        []model.Categorie
	MessageMax   int
}

func (p *signalerPage) Err(field string) string { return p.FieldError[field] }

// signalerForm is GET /signaler?uai=&code=&millesime=&page=: the form,
// prefilled from the page the visitor came from. It reads nothing from
// the database, so it answers even during an outage.
func (s *Server) signalerForm(c *fiber.Ctx) error {
	in := model.SignalementInput{UAI: textParam(c, "uai", 20), Code: textParam(c, "code", 20),
		Millesime: textParam(c, "millesime", 20), Page: textParam(c, "page", 200)}
	in.Normalize()
	if in.Page != "" && len(in.Validate()) > 0 {
		for _, e := range in.Validate() {
			if e.Field == "page" {
				in.Page = "" // a link from elsewhere: forget the page, keep the rest
			}
		}
	}
	tok, _ := c.Locals(csrfLocal).(string)
	return s.renderSignaler(c, fiber.StatusOK, &signalerPage{Form: in, CSRF: tok})
}

// renderSignaler renders the form with status (200, 403, 422, 429, 503,
// 500): never cached, never indexed.
func (s *Server) renderSignaler(c *fiber.Ctx, status int, p *signalerPage) error {
	title := "Signaler une erreur"
	if len(p.Errors) > 0 || p.Alert != "" {
		title = "Erreur : " + title
	}
	p.basePage = s.newBase(s.lastState(), title, "Signaler une erreur ou une mise à jour des chiffres d'insertion, de l'établissement ou de la formation.", "/signaler")
	p.NoIndex = true
	p.Breadcrumb = []crumb{{Label: "Signaler une erreur", URL: "/signaler"}}
	p.Categories, p.Roles, p.MessageMax = model.Categories, model.DeclarantRoles, model.SignalementMessageMax
	p.FieldError = map[string]string{}
	for _, e := range p.Errors {
		if _, ok := p.FieldError[e.Field]; !ok {
			p.FieldError[e.Field] = e.Message
		}
	}
	body, err := s.renderPage("pages/signaler", p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(body)
}

// readSignaler reads the fields of a submitted form, as typed.
func readSignaler(c *fiber.Ctx) model.SignalementInput {
	f := func(name string, n int) string { return cutRunes(strings.ToValidUTF8(c.FormValue(name), "\uFFFD"), n) }
	in := model.SignalementInput{
		// Short fields are kept as typed up to 1,000 characters (Validate
		// says what is wrong; the form shows them back).
		UAI: f("uai", 1000), Code: f("code", 1000), Millesime: f("millesime", 1000), Page: f("page", 1000),
		Categorie: f("categorie", 100),
		// one character more than allowed: Validate says it is too long
		Message: f("message", 4*model.SignalementMessageMax), ValeurCorrecte: f("valeur_correcte", 4*model.SignalementValeurMax),
		Nom: f("nom", 2*model.SignalementNomMax), Email: f("email", 1000), Role: f("role", 100),
		ContactOK: c.FormValue("contact") == "oui",
	}
	in.Normalize()
	return in
}

// hasPiece reports whether the request carries a non-empty file.
func hasPiece(c *fiber.Ctx) (*multipart.FileHeader, bool) {
	fh, err := c.FormFile("piece")
	if err != nil || fh == nil || fh.Size == 0 {
		return nil, false
	}
	return fh, true
}

// readPiece checks the attachment: size, and type by its content (magic
// bytes), never by its name or the type the browser claims.
func readPiece(fh *multipart.FileHeader) (*store.SignalementPiece, *model.FieldError) {
	if fh.Size > model.SignalementPieceMax {
		return nil, &model.FieldError{Field: "piece", Message: fmt.Sprintf("Le fichier dépasse 5 Mo (%s Mo) : choisissez un fichier plus léger.", strconv.FormatFloat(float64(fh.Size)/(1<<20), 'f', 1, 64))}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, &model.FieldError{Field: "piece", Message: "Le fichier n'a pas pu être lu : choisissez-le à nouveau."}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, model.SignalementPieceMax+1))
	if err != nil || len(b) > model.SignalementPieceMax {
		return nil, &model.FieldError{Field: "piece", Message: "Le fichier n'a pas pu être lu ou dépasse 5 Mo : choisissez-le à nouveau."}
	}
	ct := http.DetectContentType(b)
	if _, ok := model.SignalementPieceTypes[ct]; !ok {
		return nil, &model.FieldError{Field: "piece", Message: "Le fichier n'est pas un PDF, une image PNG ou une image JPEG (son contenu a été vérifié, quel que soit son nom) : joignez un fichier d'un de ces types."}
	}
	name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	name = cutRunes(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, "")), 200)
	if name == "" || name == "." || name == "/" {
		name = "piece-jointe"
	}
	return &store.SignalementPiece{Nom: name, ContentType: ct, Contenu: b}, nil
}

// signalerSubmit is POST /signaler (after the body limit and the CSRF
// check). A valid request is stored in one transaction with its
// acknowledgment email, then 303 to its status page; anything else shows
// the form again with every field kept.
func (s *Server) signalerSubmit(c *fiber.Ctx) error {
	in := readSignaler(c)
	tok, _ := c.Locals(csrfLocal).(string)
	p := &signalerPage{Form: in, CSRF: tok}
	fh, withPiece := hasPiece(c)
	again := func(status int) error {
		p.PieceRefused = withPiece
		return s.renderSignaler(c, status, p)
	}
	// The honeypot: a field hidden from people (display: none, out of the
	// tab order, hidden from screen readers) that robots fill in. Filled,
	// nothing is stored and the form comes back (422), like any error.
	if strings.TrimSpace(c.FormValue("site_web")) != "" {
		p.AlertTitle = "Envoi refusé"
		p.Alert = "Le champ « Site web (ne pas remplir) » doit rester vide : videz-le puis envoyez à nouveau. Rien n'a été enregistré."
		return again(fiber.StatusUnprocessableEntity)
	}
	p.Errors = in.Validate()
	var piece *store.SignalementPiece
	if withPiece {
		var fe *model.FieldError
		if piece, fe = readPiece(fh); fe != nil {
			p.Errors = append(p.Errors, *fe)
		}
	}
	if len(p.Errors) > 0 {
		return again(fiber.StatusUnprocessableEntity)
	}
	ctx := c.UserContext()
	outage := func(err error) error {
		if !store.IsUnavailable(err) {
			s.log.Error("signalement non enregistré", "request_id", requestID(c), "err", err)
			p.AlertTitle = "Signalement non enregistré"
			p.Alert = "Une erreur inattendue a empêché l'enregistrement : rien n'a été enregistré. Vos saisies sont conservées ci-dessous : réessayez dans quelques instants."
			return again(fiber.StatusInternalServerError)
		}
		s.dbErrors.note(err)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(dbRetryAfter))
		p.AlertTitle = "Service momentanément indisponible : réessayez"
		p.Alert = "La base de données ne répond pas : votre signalement n'a pas été enregistré. Vos saisies sont conservées ci-dessous : réessayez dans quelques secondes."
		return again(fiber.StatusServiceUnavailable)
	}
	// The shared per-IP limit counts the submissions about to be stored.
	if limit := s.cfg.PostRateLimit; limit > 0 {
		n, reset, err := s.store.TakePostRate(ctx, clientKey(s.clientIP(c)), s.cfg.PostRateWindow)
		if err != nil {
			return outage(err)
		}
		if n > limit {
			wait := max(1, int(time.Until(reset).Round(time.Second)/time.Second))
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(wait))
			p.AlertTitle = "Trop de signalements envoyés depuis votre connexion"
			p.Alert = fmt.Sprintf("Vous avez envoyé %d signalements en %s : c'est le maximum. Votre signalement n'a pas été enregistré ; "+
				"vos saisies sont conservées ci-dessous. Vous pourrez l'envoyer %s (dans %s).", limit, frenchDuration(s.cfg.PostRateWindow),
				"à partir de "+reset.In(paris).Format("15h04"), frenchDuration(time.Duration(wait)*time.Second))
			return again(fiber.StatusTooManyRequests)
		}
	}
	sg := &model.Signalement{UAI: in.UAI, Code: in.Code, Millesime: in.Millesime, Page: in.Page, Categorie: in.Categorie,
		Message: in.Message, ValeurCorrecte: in.ValeurCorrecte, Nom: in.Nom, Email: in.Email, Role: in.Role, ContactOK: in.ContactOK}
	if in.UAI != "" {
		a, err := s.store.UAIAcademie(ctx, in.UAI)
		if err != nil {
			return outage(err)
		}
		sg.Academie = a
	}
	var mail *store.OutboxMail
	if in.Email != "" {
		mail = s.acknowledgment(in)
	}
	numero, err := s.store.CreateSignalement(ctx, sg, piece, mail)
	if err != nil {
		return outage(err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect("/signalements/"+numero, fiber.StatusSeeOther)
}

// acknowledgment is the email that confirms a request, with its tracking
// link built from BASE_URL (the number is filled in by the store).
func (s *Server) acknowledgment(in model.SignalementInput) *store.OutboxMail {
	var b strings.Builder
	b.WriteString("Bonjour,\n\nNous avons bien reçu votre signalement n° " + store.NumeroPlaceholder + " sur Vitrine InserJeunes.\n\n")
	b.WriteString("Type : " + model.CategorieLabel(in.Categorie) + "\n")
	if in.UAI != "" {
		b.WriteString("Établissement (UAI) : " + in.UAI + "\n")
	}
	if in.Code != "" {
		b.WriteString("Formation (code) : " + in.Code + "\n")
	}
	b.WriteString("\nSuivez son traitement à cette adresse :\n" + s.cfg.BaseURL + "/signalements/" + store.NumeroPlaceholder + "\n\n")
	b.WriteString("Vos données personnelles sont traitées comme l'explique la page " + s.cfg.BaseURL + "/donnees-personnelles\n\n")
	b.WriteString("Ce message est envoyé automatiquement : n'y répondez pas.\n-- \nVitrine InserJeunes\n")
	return &store.OutboxMail{To: in.Email, Subject: "Signalement " + store.NumeroPlaceholder + " reçu — Vitrine InserJeunes", Body: b.String()}
}

// signalerRefused is the CSRF refusal: the form again, filled in, with a
// new token, 403.
func (s *Server) signalerRefused(c *fiber.Ctx) error {
	in := readSignaler(c)
	_, withPiece := hasPiece(c)
	p := &signalerPage{Form: in, CSRF: s.freshCSRF(c), PieceRefused: withPiece,
		AlertTitle: "Formulaire expiré ou incomplet",
		Alert:      "Le jeton de sécurité du formulaire manque ou a expiré (page ouverte depuis longtemps, cookies refusés…). Rien n'a été enregistré ; vos saisies sont conservées ci-dessous : envoyez à nouveau."}
	return s.renderSignaler(c, fiber.StatusForbidden, p)
}

// signalementPage is the public status page of a request.
type signalementPage struct {
	basePage
	S          model.Signalement
	Categorie  string
	Statut     string
	Closed     bool
	Concerned  []link
	Millesime  string
	Historique []historyItem
	Depose     string
}

type historyItem struct {
	Date, Label, Note string
}

// signalementShow is GET /signalements/{numero}: the public status of a
// request. It is not data-versioned, so it is neither in the page cache
// nor kept by browsers (no-store): a status change shows at once.
func (s *Server) signalementShow(c *fiber.Ctx) error {
	raw := strings.Clone(c.Params("numero"))
	numero := strings.ToUpper(strings.TrimSpace(raw))
	notFound := errNotFound("signalement_inconnu", fmt.Sprintf("Aucun signalement ne porte le numéro %s. Vérifiez le numéro reçu "+
		"(de la forme SIG-2026-7K3QX9) ou le lien du courriel de confirmation.", quoteParam(raw)))
	if !model.ValidNumero(numero) {
		return notFound
	}
	if numero != raw {
		return c.Redirect("/signalements/"+numero, fiber.StatusMovedPermanently)
	}
	sg, evs, err := s.store.SignalementPublic(c.UserContext(), numero)
	if errors.Is(err, model.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	p := &signalementPage{S: sg, Categorie: model.CategorieLabel(sg.Categorie), Statut: model.SignalementStatutLabel(sg.Statut),
		Closed: model.SignalementClosed(sg.Statut), Depose: frenchDateTime(sg.CreatedAt)}
	if sg.Millesime != "" {
		if m, err := model.ParseMillesime(sg.Millesime); err == nil {
			p.Millesime = m.Label()
		}
	}
	if sg.UAI != "" {
		p.Concerned = append(p.Concerned, link{Label: "Établissement " + sg.UAI, URL: "/etablissements/" + sg.UAI})
	}
	if sg.Code != "" {
		p.Concerned = append(p.Concerned, link{Label: "Formation " + sg.Code, URL: "/formations/" + sg.Code})
	}
	if sg.UAI != "" && sg.Code != "" {
		p.Concerned = append(p.Concerned, link{Label: "Formation " + sg.Code + " dans l'établissement " + sg.UAI, URL: "/etablissements/" + sg.UAI + "/formations/" + sg.Code})
	}
	if sg.Page != "" && (len(p.Concerned) == 0 || !strings.HasPrefix(sg.Page, "/etablissements/") && !strings.HasPrefix(sg.Page, "/formations/")) {
		p.Concerned = append(p.Concerned, link{Label: "La page " + sg.Page, URL: sg.Page})
	}
	for _, e := range evs {
		h := historyItem{Date: frenchDateTime(e.At)}
		switch e.Nature {
		case "depot":
			h.Label = "Signalement reçu"
		case "statut":
			h.Label = "Statut : " + model.SignalementStatutLabel(e.VersStatut)
			h.Note = e.Note
		case "purge":
			h.Label = "Données personnelles effacées"
		default:
			h.Label = "Mise à jour"
			h.Note = e.Note
		}
		p.Historique = append(p.Historique, h)
	}
	p.basePage = s.newBase(s.lastState(), "Signalement "+numero, "", "/signalements/"+numero)
	p.NoIndex = true
	p.Breadcrumb = []crumb{{Label: "Signalement " + numero, URL: "/signalements/" + numero}}
	body, err := s.renderPage("pages/signalement", p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(body)
}

// frenchDateTime is « 7 décembre 2026 à 16h05 » in Europe/Paris.
func frenchDateTime(t time.Time) string { return frenchDate(t) }

// donneesPersonnellesPage is /donnees-personnelles.
type donneesPersonnellesPage struct {
	basePage
	RetentionMonths int
}

// donneesPersonnelles is GET /donnees-personnelles: the legal basis, what
// is kept, how long, the rights and the contact.
func (s *Server) donneesPersonnelles(c *fiber.Ctx) error {
	return s.serve(c, func(st dataState) (*built, error) {
		p := &donneesPersonnellesPage{RetentionMonths: s.cfg.RetentionMonths}
		p.basePage = s.newBase(st, "Données personnelles", "Les données personnelles du formulaire « Signaler une erreur » : base légale, conservation, droits.", "/donnees-personnelles")
		p.Breadcrumb = []crumb{{Label: "Données personnelles", URL: "/donnees-personnelles"}}
		return s.htmlPage("pages/donnees_personnelles", p)
	})
}

// FieldID is the id of the control of a field (the error summary links
// to it).
func (p *signalerPage) FieldID(field string) string {
	switch field {
	case "categorie":
		if len(p.Categories) > 0 {
			return "f-categorie-" + p.Categories[0].Code
		}
	case "contact":
		return "f-contact"
	}
	return "f-" + field
}
