package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// Back-office tests: a real PostgreSQL (its own database), the app through
// app.Test, requests seeded with plain SQL (the public form is another
// helper's work), codes computed from the TOTP secret stored at enrolment.

const staffTestBase = "https://vitrine.example"

var staffTest struct {
	once sync.Once
	app  *fiber.App
	pool *pgxpool.Pool
}

func staffApp(t testing.TB) (*fiber.App, *pgxpool.Pool) {
	t.Helper()
	staffTest.once.Do(func() {
		staffFailDelay = 5 * time.Millisecond
		pool := testdb.Pool(t, "web_staff")
		cfg := testConfig()
		cfg.BaseURL = staffTestBase
		cfg.AccessLog = false
		staffTest.pool = pool
		staffTest.app = New(store.New(pool), slog.New(slog.DiscardHandler), cfg)
	})
	if staffTest.pool == nil {
		t.Fatal("base de test indisponible")
	}
	return staffTest.app, staffTest.pool
}

var staffSeq struct {
	mu sync.Mutex
	n  int
}

// uniq makes test data unique across tests of one run.
func uniq(prefix string) string {
	staffSeq.mu.Lock()
	defer staffSeq.mu.Unlock()
	staffSeq.n++
	return fmt.Sprintf("%s%d-%d", prefix, time.Now().UnixNano()%1e6, staffSeq.n)
}

const staffTestPassword = "correct horse battery staple"

// newStaff creates an account with the test password.
func newStaff(t *testing.T, pool *pgxpool.Pool, role string, academies ...string) string {
	t.Helper()
	email := uniq(role) + "@example.gouv.fr"
	em, acs, err := model.NormalizeStaff(email, role, academies)
	if err != nil {
		t.Fatal(err)
	}
	h, err := HashStaffPassword(staffTestPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.New(pool).CreateStaff(context.Background(), em, role, acs, h); err != nil {
		t.Fatal(err)
	}
	return em
}

// newSignalement inserts a request with SQL; it returns its number.
func newSignalement(t *testing.T, pool *pgxpool.Pool, academie, message, email string) string {
	t.Helper()
	var numero string
	for {
		n, err := model.NewNumero(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tag, err := pool.Exec(context.Background(), `INSERT INTO signalements (numero, uai, academie, categorie, message, nom, email, role, contact_ok)
			VALUES ($1, '0010001W', $2, 'chiffre_errone', $3, 'Camille Martin', $4, 'etablissement', true) ON CONFLICT (numero) DO NOTHING`,
			n, academie, message, email)
		if err != nil {
			t.Fatal(err)
		}
		if tag.RowsAffected() == 1 {
			numero = n
			break
		}
	}
	if _, err := pool.Exec(context.Background(), `INSERT INTO signalement_evenements (signalement_id, acteur, nature, vers_statut, public)
		SELECT id, 'public', 'depot', 'recu', true FROM signalements WHERE numero = $1`, numero); err != nil {
		t.Fatal(err)
	}
	return numero
}

// staffClient is a browser over app.Test: it keeps the cookies.
type staffClient struct {
	t       *testing.T
	app     *fiber.App
	cookies map[string]string
	last    []*http.Cookie
}

func newClient(t *testing.T, app *fiber.App) *staffClient {
	return &staffClient{t: t, app: app, cookies: map[string]string{}}
}

func (c *staffClient) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.app.Test(req, 30_000)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	c.last = resp.Cookies()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func (c *staffClient) get(path string) (*http.Response, string) {
	return c.do(http.MethodGet, path, nil)
}

// csrfOf reads the csrf field of a page.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	v, ok := d.Find("input[name=csrf]").First().Attr("value")
	if !ok || v == "" {
		t.Fatalf("no csrf field in page:\n%s", truncate(page, 400))
	}
	return v
}

// totpNow is the current code of the account's stored secret (read from
// the database, as the authenticator app would have it).
func totpNow(t *testing.T, pool *pgxpool.Pool, email string, at time.Time) string {
	t.Helper()
	var secret string
	if err := pool.QueryRow(context.Background(), `SELECT totp_secret FROM staff WHERE email = $1`, email).Scan(&secret); err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// passwordStep posts the login form.
func (c *staffClient) passwordStep(email, password string) (*http.Response, string) {
	c.t.Helper()
	_, page := c.get("/staff/connexion")
	return c.do(http.MethodPost, "/staff/connexion", url.Values{"csrf": {csrfOf(c.t, page)}, "email": {email}, "mot_de_passe": {password}})
}

// login signs email in through both steps; at shifts the code's time (two
// logins of one account in one 30 s step need different codes).
func (c *staffClient) login(pool *pgxpool.Pool, email string, at time.Time) {
	c.t.Helper()
	resp, page := c.passwordStep(email, staffTestPassword)
	if resp.StatusCode != fiber.StatusSeeOther || resp.Header.Get("Location") != "/staff/connexion/code" {
		c.t.Fatalf("password step: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), truncate(page, 300))
	}
	_, page = c.get("/staff/connexion/code")
	resp, page = c.do(http.MethodPost, "/staff/connexion/code", url.Values{"csrf": {csrfOf(c.t, page)}, "code": {totpNow(c.t, pool, email, at)}})
	if resp.StatusCode != fiber.StatusSeeOther || resp.Header.Get("Location") != "/staff/signalements" {
		c.t.Fatalf("code step: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), truncate(page, 600))
	}
}

// loggedIn is a client signed in as a new account of role.
func loggedIn(t *testing.T, role string, academies ...string) (*staffClient, string) {
	app, pool := staffApp(t)
	email := newStaff(t, pool, role, academies...)
	c := newClient(t, app)
	c.login(pool, email, time.Now())
	return c, email
}

func TestStaffNoSessionRedirects(t *testing.T) {
	app, pool := staffApp(t)
	numero := newSignalement(t, pool, "14", "effectif faux", "")
	c := newClient(t, app)
	for _, p := range []string{"/staff", "/staff/signalements", "/staff/signalements.csv", "/staff/signalements/" + numero, "/staff/comptes"} {
		resp, _ := c.get(p)
		if resp.StatusCode != fiber.StatusSeeOther || resp.Header.Get("Location") != "/staff/connexion" {
			t.Errorf("GET %s without session: %d → %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", p, resp.Header.Get("Cache-Control"))
		}
	}
	resp, _ := c.do(http.MethodPost, "/staff/signalements/"+numero+"/statut", url.Values{"statut": {"en_cours"}})
	if resp.StatusCode != fiber.StatusSeeOther {
		t.Errorf("POST without session: %d", resp.StatusCode)
	}
	resp, page := c.get("/staff/connexion")
	if resp.StatusCode != 200 || !strings.Contains(page, `name="mot_de_passe"`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("login page: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestStaffLoginFlow(t *testing.T) {
	app, pool := staffApp(t)
	ctx := context.Background()
	email := newStaff(t, pool, model.StaffModerateur)
	var hash string
	if err := pool.QueryRow(ctx, `SELECT password_hash FROM staff WHERE email = $1`, email).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$") || strings.Contains(hash, staffTestPassword) {
		t.Fatalf("password stored as %q", hash)
	}
	c := newClient(t, app)
	resp, _ := c.passwordStep(email, staffTestPassword)
	if resp.StatusCode != fiber.StatusSeeOther {
		t.Fatalf("password step: %d", resp.StatusCode)
	}
	var sc *http.Cookie
	for _, ck := range c.last {
		if ck.Name == staffCookie {
			sc = ck
		}
	}
	if sc == nil || !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Domain != "" {
		t.Fatalf("session cookie %+v", sc)
	}
	pre := c.cookies[staffCookie]
	// the password alone opens nothing
	for _, p := range []string{"/staff/signalements", "/staff/comptes"} {
		if resp, _ := c.get(p); resp.StatusCode != fiber.StatusSeeOther {
			t.Errorf("%s after the password only: %d", p, resp.StatusCode)
		}
	}
	// enrolment page: QR code (inline SVG) and the secret in text
	resp, page := c.get("/staff/connexion/code")
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	var secret string
	if err := pool.QueryRow(ctx, `SELECT totp_secret FROM staff WHERE email = $1`, email).Scan(&secret); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || d.Find("svg[role=img][aria-label] path").Length() != 1 || strings.TrimSpace(d.Find("#cle-totp").Text()) != secret || secret == "" {
		t.Fatalf("enrolment page: %d, secret %q\n%s", resp.StatusCode, secret, truncate(page, 500))
	}
	// a wrong code is refused
	bad := "000000"
	if totpNow(t, pool, email, time.Now()) == bad {
		bad = "111111"
	}
	resp, _ = c.do(http.MethodPost, "/staff/connexion/code", url.Values{"csrf": {csrfOf(t, page)}, "code": {bad}})
	if resp.StatusCode != fiber.StatusUnauthorized {
		t.Errorf("wrong code: %d", resp.StatusCode)
	}
	// the right one signs in, with a new session id
	code := totpNow(t, pool, email, time.Now())
	resp, _ = c.do(http.MethodPost, "/staff/connexion/code", url.Values{"csrf": {csrfOf(t, page)}, "code": {code}})
	if resp.StatusCode != fiber.StatusSeeOther {
		t.Fatalf("code: %d", resp.StatusCode)
	}
	full := c.cookies[staffCookie]
	if full == "" || full == pre {
		t.Fatalf("session id not rotated at login: %q → %q", pre, full)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM staff_sessions WHERE id_hash = $1`, hashID(pre)).Scan(&n); err != nil || n != 0 {
		t.Errorf("password-step session still stored (%d, %v)", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM staff_sessions WHERE id_hash = $1 AND etape = 'complete'`, hashID(full)).Scan(&n); err != nil || n != 1 {
		t.Errorf("session stored %d times (%v)", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM staff_sessions WHERE id_hash = $1::bytea`, []byte(full)).Scan(&n); err != nil || n != 0 {
		t.Errorf("raw session id stored")
	}
	if resp, _ := c.get("/staff/signalements"); resp.StatusCode != 200 {
		t.Errorf("list after login: %d", resp.StatusCode)
	}
	// the old cookie opens nothing
	old := newClient(t, app)
	old.cookies[staffCookie] = pre
	if resp, _ := old.get("/staff/signalements"); resp.StatusCode != fiber.StatusSeeOther {
		t.Errorf("pre-login cookie still works: %d", resp.StatusCode)
	}
	// a code is good once: a second login with the same code is refused
	c2 := newClient(t, app)
	c2.passwordStep(email, staffTestPassword)
	_, page = c2.get("/staff/connexion/code")
	if resp, _ := c2.do(http.MethodPost, "/staff/connexion/code", url.Values{"csrf": {csrfOf(t, page)}, "code": {code}}); resp.StatusCode != fiber.StatusUnauthorized {
		t.Errorf("replayed code: %d", resp.StatusCode)
	}
	// logout ends the session
	_, page = c.get("/staff/signalements")
	if resp, _ := c.do(http.MethodPost, "/staff/deconnexion", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != fiber.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM staff_sessions WHERE id_hash = $1`, hashID(full)).Scan(&n); err != nil || n != 0 {
		t.Errorf("session kept after logout")
	}
	c.cookies[staffCookie] = full
	if resp, _ := c.get("/staff/signalements"); resp.StatusCode != fiber.StatusSeeOther {
		t.Errorf("after logout: %d", resp.StatusCode)
	}
}

func TestStaffLockout(t *testing.T) {
	app, pool := staffApp(t)
	email := newStaff(t, pool, model.StaffModerateur)
	c := newClient(t, app)
	msg := func(page string) string {
		d, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
		return strings.TrimSpace(d.Find(".fr-alert--error").Text())
	}
	_, unknown := c.passwordStep("personne-"+email, "mauvais mot de passe")
	want := msg(unknown)
	if want == "" {
		t.Fatal("no error message for an unknown email")
	}
	max := config5()
	for i := 0; i < max; i++ {
		resp, page := c.passwordStep(email, "mauvais mot de passe")
		if resp.StatusCode != fiber.StatusUnauthorized || msg(page) != want {
			t.Fatalf("failure %d: %d %q (unknown email said %q)", i+1, resp.StatusCode, msg(page), want)
		}
	}
	var locked bool
	if err := pool.QueryRow(context.Background(), `SELECT locked_until > now() FROM staff WHERE email = $1`, email).Scan(&locked); err != nil || !locked {
		t.Fatalf("not locked after %d failures (%v)", max, err)
	}
	// the right password is refused with the same answer while locked
	resp, page := c.passwordStep(email, staffTestPassword)
	if resp.StatusCode != fiber.StatusUnauthorized || msg(page) != want || c.cookies[staffCookie] != "" {
		t.Errorf("locked account: %d %q", resp.StatusCode, msg(page))
	}
	// once the lock is over, it works again
	if _, err := pool.Exec(context.Background(), `UPDATE staff SET locked_until = now() - interval '1 second' WHERE email = $1`, email); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.passwordStep(email, staffTestPassword); resp.StatusCode != fiber.StatusSeeOther {
		t.Errorf("after the lock: %d", resp.StatusCode)
	}
}

func config5() int { return testConfig().StaffMaxFailures }

// TestStaffCodeLockout: wrong codes count as failures too; the last one
// locks the account and ends the password-step session.
func TestStaffCodeLockout(t *testing.T) {
	app, pool := staffApp(t)
	email := newStaff(t, pool, model.StaffModerateur)
	c := newClient(t, app)
	if resp, _ := c.passwordStep(email, staffTestPassword); resp.StatusCode != fiber.StatusSeeOther {
		t.Fatalf("password step: %d", resp.StatusCode)
	}
	_, page := c.get("/staff/connexion/code")
	csrf := csrfOf(t, page)
	good := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		good[totpNow(t, pool, email, time.Now().Add(d))] = true
	}
	wrong := []string{}
	for i := 0; len(wrong) < config5(); i++ {
		if w := fmt.Sprintf("%06d", 123456+i*7919); !good[w] {
			wrong = append(wrong, w)
		}
	}
	var resp *http.Response
	for i, w := range wrong {
		resp, page = c.do(http.MethodPost, "/staff/connexion/code", url.Values{"csrf": {csrf}, "code": {w}})
		if resp.StatusCode != fiber.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, resp.StatusCode)
		}
	}
	if !strings.Contains(page, "verrouillé") || c.cookies[staffCookie] != "" {
		t.Errorf("after %d wrong codes: not sent back to the login (cookie %q)", len(wrong), c.cookies[staffCookie])
	}
	var locked bool
	if err := pool.QueryRow(context.Background(), `SELECT locked_until > now() FROM staff WHERE email = $1`, email).Scan(&locked); err != nil || !locked {
		t.Errorf("not locked after wrong codes (%v)", err)
	}
}

func TestStaffSessionExpiry(t *testing.T) {
	_, pool := staffApp(t)
	// activity moves the idle deadline (recorded at most once a minute)
	c, _ := loggedIn(t, model.StaffModerateur)
	h := hashID(c.cookies[staffCookie])
	if _, err := pool.Exec(context.Background(), `UPDATE staff_sessions SET last_seen = now() - interval '20 minutes' WHERE id_hash = $1`, h); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.get("/staff/signalements"); resp.StatusCode != 200 {
		t.Fatalf("session idle 20 min: %d", resp.StatusCode)
	}
	var recent bool
	if err := pool.QueryRow(context.Background(), `SELECT last_seen > now() - interval '1 minute' FROM staff_sessions WHERE id_hash = $1`, h).Scan(&recent); err != nil || !recent {
		t.Errorf("activity not recorded (%v)", err)
	}
	for _, tc := range []struct{ name, sql string }{
		{"idle", `UPDATE staff_sessions SET last_seen = now() - interval '31 minutes' WHERE id_hash = $1`},
		{"absolute", `UPDATE staff_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := loggedIn(t, model.StaffModerateur)
			if resp, _ := c.get("/staff/signalements"); resp.StatusCode != 200 {
				t.Fatalf("fresh session: %d", resp.StatusCode)
			}
			if _, err := pool.Exec(context.Background(), tc.sql, hashID(c.cookies[staffCookie])); err != nil {
				t.Fatal(err)
			}
			if resp, _ := c.get("/staff/signalements"); resp.StatusCode != fiber.StatusSeeOther {
				t.Errorf("expired (%s) session: %d", tc.name, resp.StatusCode)
			}
		})
	}
}

func TestStaffRelaisSeesOnlyItsAcademies(t *testing.T) {
	_, pool := staffApp(t)
	mine := newSignalement(t, pool, "14", "chiffre faux à Rennes", "")
	other := newSignalement(t, pool, "24", "chiffre faux ailleurs", "")
	none := newSignalement(t, pool, "", "sans académie", "")
	c, _ := loggedIn(t, model.StaffRelais, "14")
	resp, page := c.get("/staff/signalements")
	if resp.StatusCode != 200 || !strings.Contains(page, mine) || strings.Contains(page, other) || strings.Contains(page, none) {
		t.Errorf("relais list: %d, has own %v, has other %v", resp.StatusCode, strings.Contains(page, mine), strings.Contains(page, other))
	}
	// asking for académie 24 through the filter gives nothing either
	if _, page := c.get("/staff/signalements?academie=24"); strings.Contains(page, other) {
		t.Error("filter academie=24 shows another académie's request")
	}
	if resp, _ := c.get("/staff/signalements/" + mine); resp.StatusCode != 200 {
		t.Errorf("own request: %d", resp.StatusCode)
	}
	for _, p := range []string{"/staff/signalements/" + other, "/staff/signalements/" + none, "/staff/signalements/" + other + "/piece"} {
		if resp, _ := c.get(p); resp.StatusCode != fiber.StatusForbidden {
			t.Errorf("relais GET %s: %d, want 403", p, resp.StatusCode)
		}
	}
	resp, _ = c.do(http.MethodPost, "/staff/signalements/"+other+"/statut", url.Values{"csrf": {csrfOf(t, page)}, "statut": {"en_cours"}})
	if resp.StatusCode != fiber.StatusForbidden {
		t.Errorf("relais POST on another académie: %d", resp.StatusCode)
	}
	var statut string
	if err := pool.QueryRow(context.Background(), `SELECT statut FROM signalements WHERE numero = $1`, other).Scan(&statut); err != nil || statut != "recu" {
		t.Errorf("other request changed: %q %v", statut, err)
	}
	if _, csv := c.get("/staff/signalements.csv"); !strings.Contains(csv, mine) || strings.Contains(csv, other) {
		t.Error("relais CSV not filtered")
	}
	if resp, _ := c.get("/staff/comptes"); resp.StatusCode != fiber.StatusForbidden {
		t.Errorf("relais on /staff/comptes: %d", resp.StatusCode)
	}
}

func TestStaffCSRF(t *testing.T) {
	_, pool := staffApp(t)
	numero := newSignalement(t, pool, "14", "message", "")
	c, _ := loggedIn(t, model.StaffModerateur)
	for _, form := range []url.Values{
		{"statut": {"en_cours"}},
		{"statut": {"en_cours"}, "csrf": {""}},
		{"statut": {"en_cours"}, "csrf": {strings.Repeat("0", 64)}},
	} {
		if resp, _ := c.do(http.MethodPost, "/staff/signalements/"+numero+"/statut", form); resp.StatusCode != fiber.StatusForbidden {
			t.Errorf("POST %v: %d, want 403", form, resp.StatusCode)
		}
	}
	// the login form has its own token
	if resp, _ := c.do(http.MethodPost, "/staff/connexion", url.Values{"email": {"a@b.fr"}, "mot_de_passe": {"x"}}); resp.StatusCode != fiber.StatusForbidden {
		t.Errorf("login without token: %d", resp.StatusCode)
	}
	var statut string
	var events int
	if err := pool.QueryRow(context.Background(), `SELECT statut, (SELECT count(*) FROM signalement_evenements e WHERE e.signalement_id = s.id)
		FROM signalements s WHERE numero = $1`, numero).Scan(&statut, &events); err != nil || statut != "recu" || events != 1 {
		t.Errorf("after refused POSTs: %q, %d events (%v)", statut, events, err)
	}
}

func TestStaffXSSInert(t *testing.T) {
	_, pool := staffApp(t)
	payload := `<script>alert("xss")</script><img src=x onerror=alert(1)>'"; DROP TABLE signalements; --`
	numero := newSignalement(t, pool, "14", payload, "x@example.fr")
	if _, err := pool.Exec(context.Background(), `UPDATE signalements SET nom = $2, valeur_correcte = $2, page = $2 WHERE numero = $1`, numero, payload); err != nil {
		t.Fatal(err)
	}
	c, _ := loggedIn(t, model.StaffModerateur)
	found := 0
	for _, p := range []string{"/staff/signalements", "/staff/signalements/" + numero, "/staff/signalements?q=alert"} {
		resp, page := c.get(p)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
			t.Errorf("%s: payload unescaped", p)
		}
		d, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
		if n := d.Find("script:not([src])").Length(); n != 0 {
			t.Errorf("%s: %d inline scripts", p, n)
		}
		if d.Find("[onerror]").Length() != 0 {
			t.Errorf("%s: an element has onerror", p)
		}
		if strings.Contains(d.Text(), `<script>alert("xss")</script>`) {
			found++
		}
	}
	if found < 2 {
		t.Errorf("payload shown as text on %d pages, want 3 (list excerpt, detail, search)", found)
	}
	// SQL metacharacters stored verbatim
	var msg string
	if err := pool.QueryRow(context.Background(), `SELECT message FROM signalements WHERE numero = $1`, numero).Scan(&msg); err != nil || msg != payload {
		t.Errorf("message stored as %q", msg)
	}
}

// statusChange posts a status change from the detail page.
func statusChange(t *testing.T, c *staffClient, numero string, form url.Values) (*http.Response, string) {
	t.Helper()
	_, page := c.get("/staff/signalements/" + numero)
	form.Set("csrf", csrfOf(t, page))
	return c.do(http.MethodPost, "/staff/signalements/"+numero+"/statut", form)
}

func TestStaffStatusWorkflow(t *testing.T) {
	_, pool := staffApp(t)
	ctx := context.Background()
	submitter := uniq("declarant") + "@example.fr"
	numero := newSignalement(t, pool, "14", "le taux d'emploi est faux", submitter)
	original := newSignalement(t, pool, "14", "premier signalement", "")
	c, me := loggedIn(t, model.StaffModerateur)
	outbox := func() (n int, corps string) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT count(*), coalesce(string_agg(corps, '|' ORDER BY id), '') FROM outbox WHERE destinataire = $1`, submitter).Scan(&n, &corps); err != nil {
			t.Fatal(err)
		}
		return
	}
	state := func() (statut string, closed bool, doublon *int64) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT statut, closed_at IS NOT NULL, doublon_de FROM signalements WHERE numero = $1`, numero).Scan(&statut, &closed, &doublon); err != nil {
			t.Fatal(err)
		}
		return
	}
	// en_cours: history row, outbox email with the tracking link
	if resp, page := statusChange(t, c, numero, url.Values{"statut": {"en_cours"}, "note": {"je regarde"}}); resp.StatusCode != fiber.StatusSeeOther {
		t.Fatalf("en_cours: %d\n%s", resp.StatusCode, truncate(page, 400))
	}
	if n, corps := outbox(); n != 1 || !strings.Contains(corps, staffTestBase+"/signalements/"+numero) || !strings.Contains(corps, "En cours d'examen") {
		t.Errorf("outbox after en_cours: %d\n%s", n, corps)
	}
	// rejete without a reason: refused (422), nothing written
	resp, page := statusChange(t, c, numero, url.Values{"statut": {"rejete"}})
	if resp.StatusCode != fiber.StatusUnprocessableEntity || !strings.Contains(page, "motif public") {
		t.Errorf("rejete without motif: %d", resp.StatusCode)
	}
	if st, _, _ := state(); st != "en_cours" {
		t.Errorf("refused change applied: %s", st)
	}
	if n, _ := outbox(); n != 1 {
		t.Errorf("refused change wrote an email (%d)", n)
	}
	// rejete with a reason: closed, email with the reason
	statusChange(t, c, numero, url.Values{"statut": {"rejete"}, "motif": {"chiffre conforme au fichier de la DEPP"}})
	if st, closed, _ := state(); st != "rejete" || !closed {
		t.Errorf("after rejete: %s closed=%v", st, closed)
	}
	if n, corps := outbox(); n != 2 || !strings.Contains(corps, "Motif : chiffre conforme au fichier de la DEPP") {
		t.Errorf("outbox after rejete: %d", n)
	}
	// staff see the emails and their state on the detail page
	_, page = c.get("/staff/signalements/" + numero)
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	if rows := d.Find("#courriels tbody tr"); rows.Length() != 2 || !strings.Contains(rows.Text(), "en attente d'envoi") {
		t.Errorf("emails on the detail page: %d rows", rows.Length())
	}
	// reopen: closed_at cleared
	statusChange(t, c, numero, url.Values{"statut": {"en_cours"}})
	if st, closed, _ := state(); st != "en_cours" || closed {
		t.Errorf("after reopening: %s closed=%v", st, closed)
	}
	// doublon: needs an existing original
	if resp, _ := statusChange(t, c, numero, url.Values{"statut": {"doublon"}, "original": {"SIG-2026-ZZZZZZ"}}); resp.StatusCode != fiber.StatusUnprocessableEntity {
		t.Errorf("doublon of a missing request: %d", resp.StatusCode)
	}
	statusChange(t, c, numero, url.Values{"statut": {"doublon"}, "original": {strings.ToLower(original)}})
	if st, closed, d := state(); st != "doublon" || !closed || d == nil {
		t.Errorf("after doublon: %s closed=%v doublon_de=%v", st, closed, d)
	}
	// history: who, from, to, public flag; the internal note is not public
	rows, err := pool.Query(ctx, `SELECT acteur, nature, de_statut, vers_statut, public FROM signalement_evenements e
		JOIN signalements s ON s.id = e.signalement_id WHERE s.numero = $1 ORDER BY e.id`, numero)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var a, n, de, vers string
		var pub bool
		if err := rows.Scan(&a, &n, &de, &vers, &pub); err != nil {
			t.Fatal(err)
		}
		if n != "depot" && a != me {
			t.Errorf("event by %q, want %q", a, me)
		}
		got = append(got, fmt.Sprintf("%s:%s>%s:%v", n, de, vers, pub))
	}
	want := "depot:>recu:true statut:recu>en_cours:true note:>:false statut:en_cours>rejete:true statut:rejete>en_cours:true statut:en_cours>doublon:true"
	if strings.Join(got, " ") != want {
		t.Errorf("history\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	// the history cannot be edited, by any role
	for _, q := range []string{`UPDATE signalement_evenements SET note = 'falsifié'`, `DELETE FROM signalement_evenements`, `TRUNCATE signalement_evenements CASCADE`} {
		if _, err := pool.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "ajout seul") {
			t.Errorf("%s: %v", q, err)
		}
	}
	// a purged request gets no email
	purged := newSignalement(t, pool, "14", "ancien", "")
	if _, err := pool.Exec(ctx, `UPDATE signalements SET email = 'efface@example.fr', purged_at = now() WHERE numero = $1`, purged); err != nil {
		t.Fatal(err)
	}
	statusChange(t, c, purged, url.Values{"statut": {"en_cours"}})
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE destinataire = 'efface@example.fr'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("purged request got %d emails", n)
	}
}

func TestStaffDetailActions(t *testing.T) {
	_, pool := staffApp(t)
	ctx := context.Background()
	numero := newSignalement(t, pool, "14", "message", "")
	if _, err := pool.Exec(ctx, `INSERT INTO signalement_pieces (signalement_id, nom_fichier, content_type, taille, contenu)
		SELECT id, 'capture "écran".png', 'image/png', 4, '\x89504e47'::bytea FROM signalements WHERE numero = $1`, numero); err != nil {
		t.Fatal(err)
	}
	c, me := loggedIn(t, model.StaffModerateur)
	resp, page := c.get("/staff/signalements/" + numero)
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	if resp.StatusCode != 200 || !strings.Contains(d.Find("#declarant").Text(), "Camille Martin") || d.Find("#piece").Length() != 1 {
		t.Fatalf("detail: %d", resp.StatusCode)
	}
	var myID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM staff WHERE email = $1`, me).Scan(&myID); err != nil {
		t.Fatal(err)
	}
	csrf := csrfOf(t, page)
	for _, a := range []struct {
		path string
		form url.Values
	}{
		{"assignation", url.Values{"staff": {fmt.Sprint(myID)}}},
		{"note", url.Values{"note": {"appeler le lycée"}}},
		{"avis", url.Values{"avis": {"1"}}},
	} {
		a.form.Set("csrf", csrf)
		if resp, _ := c.do(http.MethodPost, "/staff/signalements/"+numero+"/"+a.path, a.form); resp.StatusCode != fiber.StatusSeeOther {
			t.Errorf("%s: %d", a.path, resp.StatusCode)
		}
	}
	var assigned *int64
	var avis bool
	var events int
	if err := pool.QueryRow(ctx, `SELECT assigne_a, avis_public, (SELECT count(*) FROM signalement_evenements e WHERE e.signalement_id = s.id AND NOT e.public)
		FROM signalements s WHERE numero = $1`, numero).Scan(&assigned, &avis, &events); err != nil {
		t.Fatal(err)
	}
	if assigned == nil || *assigned != myID || !avis || events != 3 {
		t.Errorf("after actions: assigned %v, avis %v, %d private events", assigned, avis, events)
	}
	if resp, _ := c.do(http.MethodPost, "/staff/signalements/"+numero+"/note", url.Values{"csrf": {csrf}, "note": {"  "}}); resp.StatusCode != fiber.StatusUnprocessableEntity {
		t.Errorf("empty note: %d", resp.StatusCode)
	}
	resp, b := c.get("/staff/signalements/" + numero + "/piece")
	if resp.StatusCode != 200 || b != "\x89PNG" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
		resp.Header.Get("Content-Type") != "image/png" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("attachment: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), resp.Header.Get("Content-Type"))
	}
	if resp, _ := c.get("/staff/signalements/SIG-2026-ZZZZZZ"); resp.StatusCode != fiber.StatusNotFound {
		t.Errorf("unknown number: %d", resp.StatusCode)
	}
	// bad input: a clear answer, never a crash
	for _, tc := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/staff/signalements/" + numero + "/assignation", url.Values{"staff": {"abc"}}, fiber.StatusBadRequest},
		{"/staff/signalements/" + numero + "/assignation", url.Values{"staff": {"999999999"}}, fiber.StatusUnprocessableEntity},
		{"/staff/signalements/" + numero + "/statut", url.Values{"statut": {"inconnu"}}, fiber.StatusUnprocessableEntity},
		{"/staff/signalements/" + numero + "/statut", url.Values{"statut": {"recu"}}, fiber.StatusUnprocessableEntity},
		{"/staff/signalements/pas-un-numero/statut", url.Values{"statut": {"en_cours"}}, fiber.StatusNotFound},
		{"/staff/signalements/lot", url.Values{"statut": {"en_cours"}}, fiber.StatusUnprocessableEntity},
		{"/staff/signalements/lot", url.Values{"statut": {"en_cours"}, "numero": {"SIG-2026-ZZZZZZ", "<b>x</b>"}}, fiber.StatusOK},
		{"/staff/signalements/lot", url.Values{"statut": {"en_cours"}, "numero": strings.Fields(strings.Repeat("x ", 51))}, fiber.StatusBadRequest},
		{"/staff/comptes/abc/desactiver", url.Values{}, fiber.StatusForbidden}, // a moderator: 403 before anything
	} {
		tc.form.Set("csrf", csrf)
		resp, page := c.do(http.MethodPost, tc.path, tc.form)
		if resp.StatusCode != tc.want {
			t.Errorf("POST %s %v: %d, want %d", tc.path, tc.form, resp.StatusCode, tc.want)
		}
		if strings.Contains(page, "<b>x</b>") {
			t.Errorf("POST %s: input echoed unescaped", tc.path)
		}
	}
}

func TestStaffListFiltersBulkAndCSV(t *testing.T) {
	_, pool := staffApp(t)
	word := "zorglub" + strings.ReplaceAll(uniq(""), "-", "")
	a := newSignalement(t, pool, "31", "Les effectifs de "+word+" sont faux", "a@example.fr")
	b := newSignalement(t, pool, "31", "La formation "+word+" est fermée", "b@example.fr")
	other := newSignalement(t, pool, "31", "rien à voir", "")
	c, _ := loggedIn(t, model.StaffModerateur)
	_, page := c.get("/staff/signalements?q=" + word)
	if !strings.Contains(page, a) || !strings.Contains(page, b) || strings.Contains(page, other) {
		t.Errorf("full-text search %q: a %v b %v other %v", word, strings.Contains(page, a), strings.Contains(page, b), strings.Contains(page, other))
	}
	// French stemming: « effectif » finds « effectifs »
	if _, page := c.get("/staff/signalements?q=effectif+" + word); !strings.Contains(page, a) || strings.Contains(page, b) {
		t.Error("stemmed search")
	}
	for _, bad := range []string{"statut=perdu", "du=hier", "uai=pas-un-uai", "categorie=x", "academie=ab"} {
		if resp, _ := c.get("/staff/signalements?" + bad); resp.StatusCode != fiber.StatusBadRequest {
			t.Errorf("?%s: %d, want 400", bad, resp.StatusCode)
		}
	}
	today := time.Now().In(paris).Format("2006-01-02")
	if _, page := c.get("/staff/signalements?academie=31&statut=recu&du=" + today + "&au=" + today + "&uai=0010001w&categorie=chiffre_errone"); !strings.Contains(page, other) {
		t.Error("combined filters lost a matching request")
	}
	if _, page := c.get("/staff/signalements?academie=31&au=2000-01-01"); strings.Contains(page, other) {
		t.Error("date filter kept a newer request")
	}
	// bulk change
	resp, page := c.do(http.MethodPost, "/staff/signalements/lot", url.Values{"csrf": {csrfOf(t, page)}, "numero": {a, b}, "statut": {"transmis_producteur"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "2 signalements passés") {
		t.Errorf("bulk: %d", resp.StatusCode)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM signalements WHERE numero IN ($1, $2) AND statut = 'transmis_producteur'`, a, b).Scan(&n); err != nil || n != 2 {
		t.Errorf("bulk changed %d", n)
	}
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE destinataire IN ('a@example.fr', 'b@example.fr')`).Scan(&n); err != nil || n < 2 {
		t.Errorf("bulk wrote %d emails", n)
	}
	// CSV: BOM, semicolons, no personal data
	resp, csv := c.get("/staff/signalements.csv?q=" + word)
	if resp.StatusCode != 200 || !strings.HasPrefix(csv, "\ufeffnumero;date;statut;") || !strings.Contains(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %q", resp.StatusCode, truncate(csv, 80))
	}
	if !strings.Contains(csv, a) || !strings.Contains(csv, b) || strings.Contains(csv, other) {
		t.Error("CSV not filtered")
	}
	for _, personal := range []string{"a@example.fr", "Camille Martin", "etablissement;"} {
		if strings.Contains(csv, personal) {
			t.Errorf("CSV holds personal data %q", personal)
		}
	}
	if lines := strings.Count(csv, "\r\n"); lines != 3 {
		t.Errorf("CSV has %d lines, want 3", lines)
	}
}

func TestStaffComptes(t *testing.T) {
	app, pool := staffApp(t)
	ctx := context.Background()
	c, _ := loggedIn(t, model.StaffAdmin)
	_, page := c.get("/staff/comptes")
	csrf := csrfOf(t, page)
	email := uniq("nouveau") + "@ac-rennes.fr"
	resp, page := c.do(http.MethodPost, "/staff/comptes", url.Values{"csrf": {csrf}, "email": {strings.ToUpper(email)}, "role": {"relais"}, "academies": {"14, 10"}})
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	password := strings.TrimSpace(d.Find("#mot-de-passe-cree").Text())
	if resp.StatusCode != 200 || len(password) < 16 {
		t.Fatalf("create: %d, password %q", resp.StatusCode, password)
	}
	var hash string
	var acs []string
	if err := pool.QueryRow(ctx, `SELECT password_hash, academies FROM staff WHERE email = $1`, email).Scan(&hash, &acs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, password) || strings.Join(acs, ",") != "14,10" {
		t.Errorf("stored %q %v", hash, acs)
	}
	// shown once: the list page does not have it
	if _, page := c.get("/staff/comptes"); strings.Contains(page, password) {
		t.Error("password shown again")
	}
	// refusals keep the input
	resp, page = c.do(http.MethodPost, "/staff/comptes", url.Values{"csrf": {csrf}, "email": {email}, "role": {"relais"}, "academies": {"14"}})
	if resp.StatusCode != fiber.StatusUnprocessableEntity || !strings.Contains(page, "existe déjà") {
		t.Errorf("duplicate: %d", resp.StatusCode)
	}
	if resp, _ := c.do(http.MethodPost, "/staff/comptes", url.Values{"csrf": {csrf}, "email": {"x" + email}, "role": {"relais"}}); resp.StatusCode != fiber.StatusUnprocessableEntity {
		t.Errorf("relais without académie: %d", resp.StatusCode)
	}
	// the new member logs in with the shown password; disabling ends the session
	nc := newClient(t, app)
	resp, _ = nc.passwordStep(email, password)
	if resp.StatusCode != fiber.StatusSeeOther {
		t.Fatalf("new account login: %d", resp.StatusCode)
	}
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM staff WHERE email = $1`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.do(http.MethodPost, fmt.Sprintf("/staff/comptes/%d/desactiver", id), url.Values{"csrf": {csrf}}); resp.StatusCode != 200 {
		t.Errorf("disable: %d", resp.StatusCode)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM staff_sessions WHERE staff_id = $1`, id).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d sessions after disabling", n)
	}
	if resp, _ := nc.passwordStep(email, password); resp.StatusCode != fiber.StatusUnauthorized {
		t.Errorf("disabled account login: %d", resp.StatusCode)
	}
	// a moderator cannot manage accounts
	m, _ := loggedIn(t, model.StaffModerateur)
	if resp, _ := m.get("/staff/comptes"); resp.StatusCode != fiber.StatusForbidden {
		t.Errorf("moderateur on /staff/comptes: %d", resp.StatusCode)
	}
}

// TestStaffTemplates renders every back-office template with a filled
// page (the layout's checks of TestTemplatesRender: one of each id).
func TestStaffTemplates(t *testing.T) {
	s := testServer(t)
	base := func(title, path string) basePage {
		return basePage{Title: title, Path: path, BaseURL: "http://exemple.test"}
	}
	me := model.StaffMember{ID: 1, Email: "a@b.fr", Role: model.StaffAdmin}
	sp := func(title, path string) staffPage {
		return staffPage{basePage: base(title, path), Me: me, CSRF: "tok", Notice: "ok", Error: "non"}
	}
	aid := int64(1)
	g := model.Signalement{ID: 1, Numero: "SIG-2026-ABCDEF", Statut: "recu", AssigneA: &aid, Message: "m", UAI: "0010001W"}
	for name, p := range map[string]page{
		"staff/connexion":     &staffLoginPage{basePage: base("Connexion", "/staff/connexion"), Step: "mot_de_passe", CSRF: "t", Error: "x"},
		"staff/signalements":  &staffListPage{staffPage: sp("Signalements", "/staff/signalements"), Rows: []signalementRow{{Signalement: g}}, Total: 1, Page: 1, Last: 2, NextURL: "/x", Statuts: model.SignalementStatuts, Result: []string{"r"}},
		"staff/signalement":   &staffDetailPage{staffPage: sp("S", "/staff/signalements/x"), G: g, Targets: model.SignalementStatuts[1:], Staff: []model.StaffMember{me}, Events: []eventView{{Label: "Dépôt"}}, Emails: []emailView{{Sujet: "s"}}},
		"staff/comptes":       &staffComptesPage{staffPage: sp("Comptes", "/staff/comptes"), Accounts: []staffAccountView{{StaffMember: me}}, Roles: model.StaffRoles, Created: "x@y.fr", Password: "p"},
		"staff/connexion#otp": &staffLoginPage{basePage: base("Code", "/staff/connexion/code"), Step: "code", Enrol: true, QR: qrSVG("otpauth://totp/x?secret=ABC"), Secret: "ABC"},
	} {
		b, err := s.renderPage(strings.Split(name, "#")[0], p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
		seen := map[string]bool{}
		d.Find("[id]").Each(func(_ int, n *goquery.Selection) {
			id, _ := n.Attr("id")
			if seen[id] {
				t.Errorf("%s: duplicate id %q", name, id)
			}
			seen[id] = true
		})
		if d.Find("main#contenu h1").Length() != 1 {
			t.Errorf("%s: no h1", name)
		}
	}
}
