package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// The public correction form (signaler.go), through app.Test on the demo
// data: real PostgreSQL, real multipart bodies, the real CSRF middleware.

// signalerApp is a site over the demo database with cfg adjusted by
// tune (the shared site app keeps the test defaults).
func signalerApp(t testing.TB, tune func(*config.Server)) (*fiber.App, *pgxpool.Pool) {
	t.Helper()
	_, pool := siteTestApp(t)
	cfg := testConfig()
	cfg.BaseURL = "https://vitrine.exemple.fr"
	cfg.CSRFSecret = strings.Repeat("s", 40)
	if tune != nil {
		tune(&cfg)
	}
	return New(store.New(pool), slog.New(slog.DiscardHandler), cfg), pool
}

// formSession is a visitor who opened the form: its CSRF cookie and token.
type formSession struct {
	cookie, token string
}

func openForm(t testing.TB, app *fiber.App, query string) (formSession, *goquery.Document) {
	t.Helper()
	r := get(t, app, "/signaler"+query)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /signaler%s: %d", query, r.StatusCode)
	}
	if cc := r.Header.Get(fiber.HeaderCacheControl); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	var fs formSession
	for _, c := range r.Cookies() {
		if c.Name == csrfCookie {
			fs.cookie = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %+v", c)
			}
		}
	}
	d := doc(t, r)
	fs.token, _ = d.Find(`input[name="_csrf"]`).Attr("value")
	if fs.cookie == "" || fs.token == "" || fs.cookie != fs.token {
		t.Fatalf("CSRF cookie %q token %q", fs.cookie, fs.token)
	}
	return fs, d
}

type upload struct {
	name, contentType string
	content           []byte
}

// postForm sends a multipart POST /signaler.
func postForm(t testing.TB, app *fiber.App, fs formSession, fields map[string]string, file *upload) *http.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if fs.token != "" {
		_ = w.WriteField("_csrf", fs.token)
	}
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if file != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="piece"; filename="%s"`, file.name))
		h.Set("Content-Type", file.contentType)
		pw, _ := w.CreatePart(h)
		_, _ = pw.Write(file.content)
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, "/signaler", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if fs.cookie != "" {
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: fs.cookie})
	}
	resp, err := app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func validFields() map[string]string {
	return map[string]string{"uai": "0010001W", "code": "40025214", "millesime": "2022-2023", "page": "/etablissements/0010001W/formations/40025214",
		"categorie": model.CategorieChiffreErrone, "message": "Le taux d'emploi affiché ne correspond pas à nos chiffres.",
		"valeur_correcte": "72 %", "nom": "Camille Martin", "email": "camille.martin@exemple.fr", "role": "etablissement", "contact": "oui"}
}

func pdfBytes() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func countSignalements(t *testing.T, pool *pgxpool.Pool) int {
	return scalar[int](t, pool, `SELECT count(*)::int FROM signalements`)
}

// TestSignalerSubmit: a valid request with an attachment and an email is
// stored in one go (request, public depot event, attachment, outbox email
// with the tracking link from BASE_URL), SQL metacharacters verbatim, and
// answered 303 to its status page, which never shows the personal data.
func TestSignalerSubmit(t *testing.T) {
	app, pool := signalerApp(t, nil)
	fs, d := openForm(t, app, "?uai=0010001W&code=40025214&millesime=2022_2023&page=/etablissements/0010001W/formations/40025214")
	for name, want := range map[string]string{"uai": "0010001W", "code": "40025214", "millesime": "2022_2023", "page": "/etablissements/0010001W/formations/40025214"} {
		if v, _ := d.Find(`input[name="` + name + `"]`).Attr("value"); v != want {
			t.Errorf("prefilled %s = %q, want %q", name, v, want)
		}
	}
	if d.Find(`a[href="/donnees-personnelles"]`).Length() == 0 {
		t.Error("no link to the données personnelles page")
	}
	f := validFields()
	meta := `O'Brien "; DROP TABLE signalements; -- 50% _x_ \' \\ $1 ` + "\x60"
	f["message"] = "Chiffre faux. " + meta + ` <script>alert("m")</script>`
	f["nom"] = meta
	r := postForm(t, app, fs, f, &upload{name: "preuve.pdf", contentType: "application/pdf", content: pdfBytes()})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d\n%s", r.StatusCode, body(t, r))
	}
	loc := r.Header.Get("Location")
	numero, ok := strings.CutPrefix(loc, "/signalements/")
	if !ok || !model.ValidNumero(numero) {
		t.Fatalf("Location %q", loc)
	}
	ctx := context.Background()
	var id int64
	var uai, code, mill, academie, page, cat, msg, valeur, nom, email, role, statut string
	var contact bool
	if err := pool.QueryRow(ctx, `SELECT id, uai, code, millesime, academie, page, categorie, message, valeur_correcte, nom, email, role, contact_ok, statut
FROM signalements WHERE numero = $1`, numero).Scan(&id, &uai, &code, &mill, &academie, &page, &cat, &msg, &valeur, &nom, &email, &role, &contact, &statut); err != nil {
		t.Fatal(err)
	}
	wantAcad := scalar[string](t, pool, `SELECT academie_code FROM departements WHERE code = $1`, model.DepartementOfUAI("0010001W"))
	if uai != "0010001W" || code != "40025214" || mill != "2022_2023" || academie == "" || academie != wantAcad || cat != model.CategorieChiffreErrone ||
		msg != "Chiffre faux. "+meta+` <script>alert("m")</script>` || nom != meta || valeur != "72 %" || email != "camille.martin@exemple.fr" || role != "etablissement" || !contact || statut != "recu" ||
		page != "/etablissements/0010001W/formations/40025214" {
		t.Errorf("stored: %q %q %q acad %q (want %q) %q %q %q %q %q %q %v %q", uai, code, mill, academie, wantAcad, cat, msg, nom, valeur, email, role, contact, statut)
	}
	if n := scalar[int](t, pool, `SELECT count(*)::int FROM signalement_evenements WHERE signalement_id = $1 AND nature = 'depot' AND public`, id); n != 1 {
		t.Errorf("%d depot events", n)
	}
	if ct := scalar[string](t, pool, `SELECT content_type || ' ' || nom_fichier || ' ' || taille FROM signalement_pieces WHERE signalement_id = $1`, id); ct != fmt.Sprintf("application/pdf preuve.pdf %d", len(pdfBytes())) {
		t.Errorf("piece %q", ct)
	}
	var to, subject, mailBody string
	if err := pool.QueryRow(ctx, `SELECT destinataire, sujet, corps FROM outbox WHERE signalement_id = $1`, id).Scan(&to, &subject, &mailBody); err != nil {
		t.Fatal(err)
	}
	if to != "camille.martin@exemple.fr" || !strings.Contains(subject, numero) || !strings.Contains(mailBody, "https://vitrine.exemple.fr/signalements/"+numero) {
		t.Errorf("outbox: %q %q\n%s", to, subject, mailBody)
	}

	// The status page.
	r = get(t, app, loc)
	if r.StatusCode != http.StatusOK || r.Header.Get(fiber.HeaderCacheControl) != "no-store" {
		t.Fatalf("status page: %d %q", r.StatusCode, r.Header.Get(fiber.HeaderCacheControl))
	}
	html := string(body(t, r))
	for _, want := range []string{numero, "Chiffre erroné", "Reçu", `href="/etablissements/0010001W"`, `href="/formations/40025214"`, "Signalement reçu", `name="robots" content="noindex"`} {
		if !strings.Contains(html, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	for _, secret := range []string{"Camille", "camille.martin", "O&#39;Brien", "etablissement\"", "Établissement (lycée"} {
		if strings.Contains(html, secret) {
			t.Errorf("status page shows personal data %q", secret)
		}
	}
	// Lower-case number: the canonical one.
	if r := get(t, app, "/signalements/"+strings.ToLower(numero)); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != loc {
		t.Errorf("lower-case: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	// A status change shows at once (no cache).
	if _, err := pool.Exec(ctx, `UPDATE signalements SET statut = 'corrige', closed_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO signalement_evenements (signalement_id, acteur, nature, de_statut, vers_statut, note, public)
VALUES ($1, 'moderateur@exemple.fr', 'statut', 'recu', 'corrige', 'Chiffre corrigé par la DEPP', true),
       ($1, 'moderateur@exemple.fr', 'note', '', '', 'note interne secrète', false)`, id); err != nil {
		t.Fatal(err)
	}
	html = string(body(t, get(t, app, loc)))
	if !strings.Contains(html, "Corrigé") || !strings.Contains(html, "Chiffre corrigé par la DEPP") {
		t.Error("status change not shown")
	}
	// Public text written by staff (reason, public note) is inert too.
	xss := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	if _, err := pool.Exec(ctx, `UPDATE signalements SET motif_public = $2 WHERE id = $1`, id, xss); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO signalement_evenements (signalement_id, acteur, nature, de_statut, vers_statut, note, public)
VALUES ($1, 'moderateur@exemple.fr', 'statut', 'corrige', 'en_cours', $2, true)`, id, xss); err != nil {
		t.Fatal(err)
	}
	d = doc(t, get(t, app, loc))
	if d.Find("script").Length() != 1 || d.Find("img[onerror]").Length() != 0 || !strings.Contains(d.Find("#resume").Text(), xss) ||
		!strings.Contains(d.Find("#historique").Text(), xss) {
		t.Errorf("staff text not shown as text: %d scripts", d.Find("script").Length())
	}
	if strings.Contains(html, "note interne") || strings.Contains(html, "moderateur@") {
		t.Error("internal note or staff identity on the public page")
	}
}

// TestSignalementUnknown: an unknown or malformed number is a French 404.
func TestSignalementUnknown(t *testing.T) {
	app, _ := signalerApp(t, nil)
	for _, p := range []string{"/signalements/SIG-2026-222222", "/signalements/nimportequoi", "/signalements/SIG-2026-0O1IL0", "/signalements/%3Cscript%3E"} {
		r := get(t, app, p)
		b := string(body(t, r))
		if r.StatusCode != http.StatusNotFound || !strings.Contains(b, "Aucun signalement ne porte le numéro") || strings.Contains(b, "<script>") {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
}

// TestSignalerInvalid: errors come back 422 with an error summary linking
// to each field, DSFR error states, every typed field kept (XSS payloads
// included, inert), the file to choose again, nothing stored.
func TestSignalerInvalid(t *testing.T) {
	app, pool := signalerApp(t, nil)
	fs, _ := openForm(t, app, "")
	before := countSignalements(t, pool)
	xss := `"><script>alert(1)</script><img src=x onerror=alert(2)>'`
	f := map[string]string{"uai": xss, "code": xss, "millesime": xss, "page": xss, "categorie": xss, "message": "",
		"valeur_correcte": xss, "nom": xss, "email": xss, "role": xss, "contact": "oui"}
	r := postForm(t, app, fs, f, &upload{name: "x.png", contentType: "image/png", content: pngBytes(t)})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.StatusCode)
	}
	d := doc(t, r)
	if n := d.Find("script").Length(); n != 1 { // the DSFR module only
		t.Errorf("%d script elements: a payload was not escaped", n)
	}
	if n := d.Find("img[onerror]").Length(); n != 0 {
		t.Errorf("injected img")
	}
	if !strings.HasPrefix(d.Find("title").Text(), "Erreur") {
		t.Errorf("title %q", d.Find("title").Text())
	}
	for _, name := range []string{"uai", "code", "millesime", "page", "nom", "email"} {
		in := d.Find(`input[name="` + name + `"]`)
		if v, _ := in.Attr("value"); v != xss {
			t.Errorf("%s kept as %q", name, v)
		}
	}
	if v := d.Find(`textarea[name="valeur_correcte"]`).Text(); v != xss {
		t.Errorf("valeur kept as %q", v)
	}
	if _, ok := d.Find(`#f-contact`).Attr("checked"); !ok {
		t.Error("consent not kept")
	}
	summary := d.Find("#erreurs a")
	found := map[string]bool{}
	summary.Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		if d.Find(href).Length() != 1 {
			t.Errorf("summary link %s leads nowhere", href)
		}
		found[href] = true
	})
	for _, id := range []string{"#f-uai", "#f-code", "#f-millesime", "#f-page", "#f-categorie-chiffre_errone", "#f-message", "#f-email", "#f-role"} {
		if !found[id] {
			t.Errorf("no summary link to %s (%v)", id, found)
		}
	}
	if v, _ := d.Find("#f-uai").Attr("aria-invalid"); v != "true" {
		t.Error("uai not aria-invalid")
	}
	if d.Find("#f-uai-err").Length() != 1 || d.Find(".fr-input-group--error").Length() < 4 {
		t.Error("DSFR error states missing")
	}
	if !strings.Contains(d.Find("#erreurs").Text(), "choisi à nouveau") || d.Find("#f-piece-err").Length() != 1 {
		t.Error("no word that the file must be chosen again")
	}
	if n := countSignalements(t, pool); n != before {
		t.Errorf("%d requests stored", n-before)
	}
	// A message over 5,000 characters.
	f = validFields()
	f["message"] = strings.Repeat("é", model.SignalementMessageMax+1)
	r = postForm(t, app, fs, f, nil)
	d = doc(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#f-message-err").Text(), "5 000") ||
		d.Find("#f-message").Text() != f["message"] {
		t.Errorf("long message: %d %q", r.StatusCode, d.Find("#f-message-err").Text())
	}
}

// TestSignalerPieceType: the type is read from the content: an HTML file
// named .pdf and sent as application/pdf is refused; a PNG named .pdf is
// stored as image/png; a file over 5 Mo is refused.
func TestSignalerPieceType(t *testing.T) {
	app, pool := signalerApp(t, nil)
	fs, _ := openForm(t, app, "")
	before := countSignalements(t, pool)
	for _, u := range []upload{
		{"rapport.pdf", "application/pdf", []byte("<html><script>alert(1)</script></html>")},
		{"photo.jpg", "image/jpeg", []byte("MZ\x90\x00 not a jpeg at all")},
		{"gros.pdf", "application/pdf", append(pdfBytes(), make([]byte, model.SignalementPieceMax)...)},
	} {
		r := postForm(t, app, fs, validFields(), &u)
		d := doc(t, r)
		if r.StatusCode != http.StatusUnprocessableEntity || d.Find("#f-piece-err").Length() != 1 {
			t.Errorf("%s: %d %q", u.name, r.StatusCode, d.Find("#erreurs").Text())
		}
	}
	if n := countSignalements(t, pool); n != before {
		t.Fatalf("%d stored", n-before)
	}
	r := postForm(t, app, fs, validFields(), &upload{"capture.pdf", "application/pdf", pngBytes(t)})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("png: %d", r.StatusCode)
	}
	numero := strings.TrimPrefix(r.Header.Get("Location"), "/signalements/")
	if ct := scalar[string](t, pool, `SELECT p.content_type FROM signalement_pieces p JOIN signalements s ON s.id = p.signalement_id WHERE s.numero = $1`, numero); ct != "image/png" {
		t.Errorf("stored as %q", ct)
	}
}

// TestSignalerCSRF: without token, with a forged one, or with one signed
// by another secret: 403, the form back filled in with a fresh token,
// nothing stored. A token from another node sharing the secret passes.
func TestSignalerCSRF(t *testing.T) {
	app, pool := signalerApp(t, nil)
	fs, _ := openForm(t, app, "")
	before := countSignalements(t, pool)
	other, _ := signalerApp(t, func(c *config.Server) { c.CSRFSecret = strings.Repeat("o", 40) })
	foreign, _ := openForm(t, other, "")
	forged := fs.token[:10] + strings.Repeat("A", len(fs.token)-10)
	for name, sess := range map[string]formSession{
		"none": {}, "no cookie": {token: fs.token}, "no field": {cookie: fs.cookie},
		"forged": {cookie: forged, token: forged}, "other secret": foreign, "mismatch": {cookie: fs.cookie, token: foreign.token},
	} {
		r := postForm(t, app, sess, validFields(), nil)
		d := doc(t, r)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", name, r.StatusCode)
			continue
		}
		if v, _ := d.Find(`textarea[name="message"]`).Html(); !strings.Contains(v, "taux d&#39;emploi") {
			t.Errorf("%s: message not kept: %q", name, v)
		}
		if tok, _ := d.Find(`input[name="_csrf"]`).Attr("value"); !newSignedTokens(strings.Repeat("s", 40)).valid(tok) {
			t.Errorf("%s: no fresh token", name)
		}
	}
	if n := countSignalements(t, pool); n != before {
		t.Fatalf("%d stored without a valid token", n-before)
	}
	// A second node with the same secret accepts the first node's token.
	twin, _ := signalerApp(t, nil)
	if r := postForm(t, twin, fs, validFields(), nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("token of another node with the same secret: %d", r.StatusCode)
	}
}

func TestSignedTokens(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	tk := newSignedTokens(strings.Repeat("k", 32))
	tk.now = func() time.Time { return now }
	tok := tk.generate()
	if !tk.valid(tok) {
		t.Fatal("fresh token refused")
	}
	if tk.generate() == tok {
		t.Error("two tokens alike")
	}
	tk.now = func() time.Time { return now.Add(csrfTTL + time.Second) }
	if tk.valid(tok) {
		t.Error("expired token accepted")
	}
	tk.now = func() time.Time { return now }
	b := []byte(tok)
	b[30] ^= 1
	for _, bad := range []string{"", "x", string(b), tok + "A", strings.ToUpper(tok)} {
		if bad != tok && tk.valid(bad) {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestSignalerHoneypot: the hidden field filled (a robot): 422, the form
// back with a word, nothing stored.
func TestSignalerHoneypot(t *testing.T) {
	app, pool := signalerApp(t, nil)
	fs, d := openForm(t, app, "")
	hp := d.Find(`input[name="site_web"]`)
	if hp.Length() != 1 || !hp.Parent().HasClass("fr-hidden") {
		t.Fatal("no hidden honeypot field")
	}
	before := countSignalements(t, pool)
	f := validFields()
	f["site_web"] = "http://spam.example"
	r := postForm(t, app, fs, f, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body(t, r)), "doit rester vide") {
		t.Errorf("honeypot: %d", r.StatusCode)
	}
	if n := countSignalements(t, pool); n != before {
		t.Fatalf("%d stored", n-before)
	}
}

// TestSignalerBodyLimit: a body over the form's limit is a French 413
// page; the other routes keep MAX_BODY_BYTES.
func TestSignalerBodyLimit(t *testing.T) {
	app, pool := signalerApp(t, nil)
	fs, _ := openForm(t, app, "")
	before := countSignalements(t, pool)
	r := postForm(t, app, fs, validFields(), &upload{"enorme.pdf", "application/pdf", append(pdfBytes(), make([]byte, signalerBodyLimit)...)})
	b := string(body(t, r))
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(b, "dépasse 5 Mo") {
		t.Errorf("oversize: %d %s", r.StatusCode, b[:min(200, len(b))])
	}
	if n := countSignalements(t, pool); n != before {
		t.Fatalf("%d stored", n-before)
	}
	req := httptest.NewRequest(http.MethodPost, "/recherche", bytes.NewReader(make([]byte, config.Defaults().MaxBodyBytes+1)))
	resp, err := app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("other route with %d bytes: %d", config.Defaults().MaxBodyBytes+1, resp.StatusCode)
	}
}

// TestSignalerLinks: every establishment, pair, formation and territory
// page links to the form, prefilled.
func TestSignalerLinks(t *testing.T) {
	app, _ := siteTestApp(t)
	for path, want := range map[string]string{
		"/etablissements/0010001W":                     "/signaler?page=%2Fetablissements%2F0010001W&uai=0010001W",
		"/etablissements/0010001W/formations/40025214": "/signaler?code=40025214&page=%2Fetablissements%2F0010001W%2Fformations%2F40025214&uai=0010001W",
		"/formations/40031213":                         "/signaler?code=40031213&page=%2Fformations%2F40031213",
		"/regions/84":                                  "/signaler?page=%2Fregions%2F84",
		"/academies/10":                                "/signaler?page=%2Facademies%2F10",
	} {
		d := doc(t, get(t, app, path))
		if href, _ := d.Find("#signaler-erreur a").Attr("href"); href != want {
			t.Errorf("%s: link %q, want %q", path, href, want)
		}
	}
	d := doc(t, get(t, app, "/"))
	if d.Find(`footer a[href="/donnees-personnelles"]`).Length() != 1 || d.Find("#signaler-erreur").Length() != 0 {
		t.Error("home: footer link missing or a report link where none belongs")
	}
}

// TestDonneesPersonnelles: legal basis, retention, rights.
func TestDonneesPersonnelles(t *testing.T) {
	app, _ := signalerApp(t, func(c *config.Server) { c.RetentionMonths = 18 })
	r := get(t, app, "/donnees-personnelles")
	b := string(body(t, r))
	if r.StatusCode != http.StatusOK {
		t.Fatal(r.StatusCode)
	}
	for _, want := range []string{"article 6, paragraphe 1, point e", "18 mois après la clôture", "CNIL", "rectification"} {
		if !strings.Contains(b, want) {
			t.Errorf("lacks %q", want)
		}
	}
}

// TestSignalementAvis: an open request staff marked public puts the
// notice on the establishment, formation and pair pages it concerns,
// cached pages included; it goes when the request closes.
func TestSignalementAvis(t *testing.T) {
	app, pool := signalerApp(t, nil)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `UPDATE signalements SET avis_public = false`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stateTTL + 100*time.Millisecond)
	pages := []string{"/etablissements/0010001W", "/etablissements/0010001W/formations/40025214"}
	has := func(p string) bool { return doc(t, get(t, app, p)).Find("#avis-signalement").Length() == 1 }
	for _, p := range pages {
		if has(p) {
			t.Fatalf("%s: notice before any request", p)
		}
	}
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO signalements (numero, uai, categorie, message, avis_public)
VALUES ('SIG-2026-AVVVVV', '0010001W', 'chiffre_errone', 'test', true) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = pool.Exec(ctx, `UPDATE signalements SET avis_public = false WHERE id = $1`, id) })
	time.Sleep(stateTTL + 100*time.Millisecond)
	for _, p := range pages {
		if !has(p) {
			t.Errorf("%s: no notice while the request is open and public", p)
		}
	}
	if has("/etablissements/0352304S") || has("/formations/40025214") {
		t.Error("notice on a page the request does not concern")
	}
	if _, err := pool.Exec(ctx, `UPDATE signalements SET statut = 'corrige', closed_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stateTTL + 100*time.Millisecond)
	for _, p := range pages {
		if has(p) {
			t.Errorf("%s: notice after the request closed", p)
		}
	}
}

// TestSignalerOutage: PostgreSQL stopped (a private cluster), a valid
// submission is answered 503 « réessayez » with Retry-After and every
// field kept, never a silent success; once PostgreSQL is back, the same
// submission is stored.
func TestSignalerOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	cl := testdb.StartCluster(t)
	ctx := context.Background()
	st, err := store.Open(ctx, cl.URL("vitrine"), store.WithStatementTimeout(5*time.Second), store.WithConnectTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.PostRateLimit = 5
	app := New(st, slog.New(slog.DiscardHandler), cfg)
	fs, _ := openForm(t, app, "")
	f := validFields()
	cl.Stop()
	r := postForm(t, app, fs, f, &upload{"preuve.pdf", "application/pdf", pdfBytes()})
	d := doc(t, r)
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get(fiber.HeaderRetryAfter) == "" {
		t.Fatalf("during the outage: %d, Retry-After %q", r.StatusCode, r.Header.Get(fiber.HeaderRetryAfter))
	}
	if !strings.Contains(d.Find("#alerte").Text(), "réessayez") || !strings.Contains(d.Find("#alerte").Text(), "pas été enregistré") {
		t.Errorf("alert %q", d.Find("#alerte").Text())
	}
	for _, name := range []string{"uai", "code", "nom", "email"} {
		if v, _ := d.Find(`input[name="` + name + `"]`).Attr("value"); v != f[name] {
			t.Errorf("%s not kept: %q", name, v)
		}
	}
	if d.Find(`#f-message`).Text() != f["message"] || d.Find("#f-piece-err").Length() != 1 {
		t.Error("message not kept or no word about the file")
	}
	if _, ok := d.Find(`#f-categorie-chiffre_errone`).Attr("checked"); !ok {
		t.Error("category not kept")
	}
	cl.Start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r = postForm(t, app, fs, f, nil)
		if r.StatusCode == http.StatusSeeOther || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the restart: %d", r.StatusCode)
	}
	var n int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM signalements WHERE numero = $1`, strings.TrimPrefix(r.Header.Get("Location"), "/signalements/")).Scan(&n); err != nil || n != 1 {
		t.Fatalf("stored %d (%v)", n, err)
	}
}

// TestSignalerMalformed: broken bodies never make a 5xx nor store
// anything: a multipart body cut short, a wrong boundary, a urlencoded
// body without token, no body at all.
func TestSignalerMalformed(t *testing.T) {
	app, pool := signalerApp(t, nil)
	fs, _ := openForm(t, app, "")
	before := countSignalements(t, pool)
	cases := []struct{ contentType, body string }{
		{"multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + fs.token + "\r\n--XYZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\ncoup"},
		{"multipart/form-data; boundary=AAA", "--BBB\r\n\r\n--BBB--"},
		{"multipart/form-data", "sans frontière"},
		{"application/x-www-form-urlencoded", "categorie=autre&message=%ZZ"},
		{"text/plain", ""},
		{"", ""},
	}
	// Over a real connection: fasthttp refuses some bodies itself.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/signaler", strings.NewReader(tc.body))
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: fs.cookie})
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode >= 500 || r.StatusCode < 400 {
			t.Errorf("%q %q: %d", tc.contentType, tc.body, r.StatusCode)
		}
	}
	if n := countSignalements(t, pool); n != before {
		t.Fatalf("%d stored", n-before)
	}
	// urlencoded, with a valid token: accepted (the form works without
	// a file and without multipart).
	req := httptest.NewRequest(http.MethodPost, "/signaler", strings.NewReader("_csrf="+fs.token+"&categorie=autre&message=sans+multipart"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: fs.cookie})
	if r, err := app.Test(req, 30_000); err != nil || r.StatusCode != http.StatusSeeOther {
		t.Errorf("urlencoded: %v %v", r.StatusCode, err)
	}
}

// signalerTemplateCases are the pageCases of the form, the status page and
// the données personnelles page (pages_test.go).
func signalerTemplateCases(base func(title, path string) basePage) []pageCase {
	form := &signalerPage{basePage: base("Signaler une erreur", "/signaler"),
		Form: model.SignalementInput{UAI: "0010001W", Code: "40031213", Millesime: "2021_2022", Page: "/etablissements/0010001W",
			Categorie: model.CategorieChiffreErrone, Message: "<b>message</b>", Email: "a@example.fr", Role: "cfa", ContactOK: true},
		Errors:     []model.FieldError{{Field: "message", Message: "Décrivez l'erreur."}},
		FieldError: map[string]string{"message": "Décrivez l'erreur."},
		AlertTitle: "Trop d'envois", Alert: "Réessayez à 15h04.",
		PieceRefused: true, CSRF: "jeton", Categories: model.Categories, Roles: model.DeclarantRoles, MessageMax: model.SignalementMessageMax}
	status := &signalementPage{basePage: base("Signalement SIG-2026-7K3QX9", "/signalements/SIG-2026-7K3QX9"),
		S:         model.Signalement{Numero: "SIG-2026-7K3QX9", Statut: model.SignalementRejete, MotifPublic: "chiffre publié par la DEPP"},
		Categorie: "Chiffre erroné", Statut: "Rejeté", Closed: true, Concerned: []link{{Label: "Établissement 0010001W", URL: "/etablissements/0010001W"}},
		Millesime: "promotions 2021 et 2022", Historique: []historyItem{{Date: "7 décembre 2026", Label: "Reçu"}}, Depose: "7 décembre 2026"}
	perso := &donneesPersonnellesPage{basePage: base("Données personnelles", "/donnees-personnelles"), RetentionMonths: 12}
	return []pageCase{
		{"pages/signaler", &signalerPage{}, form, []string{"#formulaire-signalement", "#erreurs", "#alerte", "#f-message[aria-invalid=true]", "#f-piece-err"}},
		{"pages/signalement", &signalementPage{}, status, []string{"#statut", "#resume", "#historique"}},
		{"pages/donnees_personnelles", &donneesPersonnellesPage{}, perso, []string{"#base-legale", "#conservation", "#droits"}},
	}
}
