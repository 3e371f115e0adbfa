package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/gofiber/fiber/v2"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/skip2/go-qrcode"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// Staff login (issue 11): email + password, then a TOTP code (enrolled at
// the first login), sessions in PostgreSQL shared by every node. The
// cookie holds a random id; the database its SHA-256. The password step
// gives a « mot_de_passe » session that opens nothing but the code page;
// the code gives a new id (rotation) and the « complete » session.

const (
	// staffCookie carries the session id: __Host- means Secure, Path=/ and
	// no Domain, so no other host or path can set or read it.
	staffCookie = "__Host-vitrine_staff"
	// loginCookie carries the double-submit token of the login form (no
	// session exists yet to bind it to).
	loginCookie = "__Host-vitrine_staff_login"
	// codeStepTTL bounds the time between the password and the code.
	codeStepTTL = 10 * time.Minute
	// touchEvery spares a write per request: activity is recorded at most
	// once a minute (the idle expiry is in tens of minutes).
	touchEvery = time.Minute
	// totpIssuer names the site in the authenticator app.
	totpIssuer = "Vitrine InserJeunes"
)

// staffFailDelay is waited before answering a failed login or code: with
// the lockout, it makes guessing slow.
var staffFailDelay = time.Second

// dummyHash is compared against when the email is unknown, so an unknown
// address takes as long as a wrong password.
// (drawn at the first use, not at start-up).
var dummyHash = sync.OnceValue(func() string {
	h, err := argon2id.CreateHash("mot de passe factice pour égaliser les temps", argon2id.DefaultParams)
	if err != nil {
		panic(err) // only crypto/rand failing
	}
	return h
})

// HashStaffPassword is the argon2id hash of a staff password.
func HashStaffPassword(p string) (string, error) {
	return argon2id.CreateHash(p, argon2id.DefaultParams)
}

// argonSlots bounds the argon2id comparisons running at once: each takes
// 64 MiB (argon2id.DefaultParams), so a burst of login attempts must not
// multiply that by the number of requests.
var argonSlots = make(chan struct{}, 2)

// errLoginBusy answers a login that waited too long for a slot.
var errLoginBusy = &httpError{Status: fiber.StatusServiceUnavailable, Code: "connexion_occupee", RetryAfter: 5,
	Heading: "Connexion momentanément indisponible",
	Message: "Trop de connexions sont en cours de vérification. Réessayez dans quelques secondes."}

// comparePassword checks password against an argon2id hash, at most
// len(argonSlots) at a time (waiting up to 10 s or the request deadline).
func comparePassword(c *fiber.Ctx, password, hash string) (bool, error) {
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case argonSlots <- struct{}{}:
	case <-t.C:
		return false, errLoginBusy
	case <-c.UserContext().Done():
		return false, c.UserContext().Err()
	}
	defer func() { <-argonSlots }()
	return argon2id.ComparePasswordAndHash(password, hash)
}

// randomToken is n random bytes in hex.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// GenerateStaffPassword draws a password of 20 characters (about 100 bits).
func GenerateStaffPassword() string {
	b := make([]byte, 13)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:20]
}

func hashID(v string) []byte {
	h := sha256.Sum256([]byte(v))
	return h[:]
}

// setStaffCookie sets a __Host- cookie (empty value: deleted).
func setStaffCookie(c *fiber.Ctx, name, value string, maxAge int) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: maxAge}
	if value == "" {
		ck.MaxAge = -1
		ck.Expires = time.Unix(1, 0)
	}
	c.Cookie(ck)
}

// staffSession is the session of the request: the row, the hash of its
// id. ok is false when there is none (or it expired: then it is deleted).
func (s *Server) staffSession(c *fiber.Ctx) (store.StaffSession, []byte, bool, error) {
	v := c.Cookies(staffCookie)
	if len(v) != 64 || strings.Trim(v, "0123456789abcdef") != "" {
		return store.StaffSession{}, nil, false, nil
	}
	h := hashID(v)
	ss, err := s.store.StaffSessionByHash(c.UserContext(), h)
	if errors.Is(err, model.ErrNotFound) {
		return ss, nil, false, nil
	}
	if err != nil {
		return ss, nil, false, err
	}
	idle := s.cfg.StaffIdleTimeout
	if ss.Etape == store.SessionPassword {
		idle = codeStepTTL
	}
	if time.Since(ss.LastSeen) > idle {
		return ss, nil, false, s.store.DeleteStaffSession(c.UserContext(), h)
	}
	if time.Since(ss.LastSeen) > touchEvery {
		if err := s.store.TouchStaffSession(c.UserContext(), h); err != nil {
			return ss, nil, false, err
		}
	}
	return ss, h, true, nil
}

// Locals keys of a staff request.
const (
	staffLocal     = "staff-session"
	staffHashLocal = "staff-session-hash"
)

// currentStaff is the signed-in member of a staffOnly handler.
func currentStaff(c *fiber.Ctx) store.StaffSession {
	ss, _ := c.Locals(staffLocal).(store.StaffSession)
	return ss
}

// errCSRF answers a staff form posted without its session's token.
var errCSRF = &httpError{Status: fiber.StatusForbidden, Code: "csrf_invalide", Heading: "Formulaire expiré ou invalide",
	Message: "Ce formulaire n'a pas pu être vérifié (jeton de sécurité absent ou périmé). Rechargez la page et recommencez."}

// errStaffForbidden answers what the member's role does not allow.
var errStaffForbidden = &httpError{Status: fiber.StatusForbidden, Code: "acces_refuse", Heading: "Accès refusé",
	Message: "Votre rôle ne donne pas accès à cette page ou à ce signalement."}

// noStore: no staff response is kept by a browser or a proxy (and none
// goes through the page cache: staff handlers never call serve).
func noStore(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Pragma", "no-cache")
}

// staffOnly wraps a back-office handler: a complete session is required
// (else 303 to the login page), every POST carries the session's CSRF
// token (else 403), nothing is cached.
func (s *Server) staffOnly(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		noStore(c)
		ss, hash, ok, err := s.staffSession(c)
		if err != nil {
			return err
		}
		if !ok || ss.Etape != store.SessionComplete {
			return c.Redirect("/staff/connexion", fiber.StatusSeeOther)
		}
		if c.Method() == fiber.MethodPost && !sameToken(c.FormValue("csrf"), ss.CSRF) {
			return errCSRF
		}
		c.Locals(staffLocal, ss)
		c.Locals(staffHashLocal, hash)
		return h(c)
	}
}

// adminOnly is staffOnly for the admin role.
func (s *Server) adminOnly(h fiber.Handler) fiber.Handler {
	return s.staffOnly(func(c *fiber.Ctx) error {
		if !currentStaff(c).Staff.IsAdmin() {
			return errStaffForbidden
		}
		return h(c)
	})
}

func sameToken(got, want string) bool {
	return want != "" && len(got) == len(want) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// staffLoginPage is /staff/connexion and /staff/connexion/code.
type staffLoginPage struct {
	basePage
	Step  string // "mot_de_passe" or "code"
	CSRF  string
	Email string
	Error string
	// Enrol: first login, the authenticator is set up from QR or Secret.
	Enrol  bool
	QR     template.HTML
	Secret string
	URI    string
}

func (s *Server) renderStaff(c *fiber.Ctx, status int, name string, p page) error {
	noStore(c)
	p.base().NoIndex = true
	b, err := s.renderPage(name, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(b)
}

func (s *Server) staffBase(title, path string) basePage {
	b := s.newBase(dataState{}, title, "", path)
	b.Breadcrumb = []crumb{{Label: "Back-office", URL: "/staff/signalements"}, {Label: title, URL: path}}
	return b
}

// staffLogin is GET /staff/connexion.
func (s *Server) staffLogin(c *fiber.Ctx) error {
	noStore(c)
	ss, _, ok, err := s.staffSession(c)
	if err != nil {
		return err
	}
	if ok && ss.Etape == store.SessionComplete {
		return c.Redirect("/staff/signalements", fiber.StatusSeeOther)
	}
	return s.loginForm(c, fiber.StatusOK, "", "")
}

func (s *Server) loginForm(c *fiber.Ctx, status int, email, msg string) error {
	tok := c.Cookies(loginCookie)
	if len(tok) != 64 || strings.Trim(tok, "0123456789abcdef") != "" {
		tok = randomToken(32)
		setStaffCookie(c, loginCookie, tok, 3600)
	}
	p := &staffLoginPage{Step: "mot_de_passe", CSRF: tok, Email: email, Error: msg}
	p.basePage = s.staffBase("Connexion au back-office", "/staff/connexion")
	return s.renderStaff(c, status, "staff/connexion", p)
}

// loginFailed is the one answer of every failed password step: unknown
// email, wrong password, locked or disabled account look the same.
func (s *Server) loginFailed(c *fiber.Ctx, email string) error {
	time.Sleep(staffFailDelay)
	return s.loginForm(c, fiber.StatusUnauthorized, email, fmt.Sprintf(
		"Adresse électronique ou mot de passe incorrect. Après %d échecs, le compte est verrouillé %s.",
		s.cfg.StaffMaxFailures, frenchDuration(s.cfg.StaffLockout)))
}

// staffLoginPost is POST /staff/connexion: the password step.
func (s *Server) staffLoginPost(c *fiber.Ctx) error {
	noStore(c)
	if !sameToken(c.FormValue("csrf"), c.Cookies(loginCookie)) {
		return errCSRF
	}
	email := cutRunes(strings.TrimSpace(strings.ToValidUTF8(c.FormValue("email"), "")), 254)
	password := c.FormValue("mot_de_passe")
	if len(password) > 1024 {
		password = password[:1024]
	}
	ctx := c.UserContext()
	cr, err := s.store.StaffCredentialsByEmail(ctx, email)
	if errors.Is(err, model.ErrNotFound) {
		if _, err := comparePassword(c, password, dummyHash()); err != nil {
			return err
		}
		return s.loginFailed(c, email)
	}
	if err != nil {
		return err
	}
	match, err := comparePassword(c, password, cr.PasswordHash)
	if err != nil {
		return err
	}
	if cr.Disabled || (cr.LockedUntil != nil && cr.LockedUntil.After(time.Now())) {
		return s.loginFailed(c, email)
	}
	if !match {
		locked, err := s.store.StaffLoginFailed(ctx, cr.ID, s.cfg.StaffMaxFailures, s.cfg.StaffLockout)
		if err != nil {
			return err
		}
		s.log.Warn("staff login failed", "staff_id", cr.ID, "step", "password", "locked", locked, "ip", s.clientIP(c))
		return s.loginFailed(c, email)
	}
	if !cr.TOTPEnrolled && cr.TOTPSecret == "" {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: cr.Email})
		if err != nil {
			return err
		}
		if err := s.store.SetStaffTOTPSecret(ctx, cr.ID, key.Secret()); err != nil {
			return err
		}
	}
	if err := s.startSession(c, cr.ID, store.SessionPassword, codeStepTTL); err != nil {
		return err
	}
	return c.Redirect("/staff/connexion/code", fiber.StatusSeeOther)
}

// startSession gives the request a new session id (the previous one, if
// any, is deleted in the same transaction): ids rotate at each step.
func (s *Server) startSession(c *fiber.Ctx, staffID int64, etape string, ttl time.Duration) error {
	var old []byte
	if v := c.Cookies(staffCookie); v != "" {
		old = hashID(v)
	}
	id := randomToken(32)
	if err := s.store.CreateStaffSession(c.UserContext(), hashID(id), staffID, etape, randomToken(32), time.Now().Add(ttl), old); err != nil {
		return err
	}
	setStaffCookie(c, staffCookie, id, 0)
	return nil
}

// codeSession is the password-step session of the code page, or a
// redirect to the login page.
func (s *Server) codeSession(c *fiber.Ctx) (store.StaffSession, bool, error) {
	ss, _, ok, err := s.staffSession(c)
	if err != nil || !ok {
		return ss, false, err
	}
	if ss.Etape == store.SessionComplete {
		return ss, false, c.Redirect("/staff/signalements", fiber.StatusSeeOther)
	}
	return ss, true, nil
}

// staffCode is GET /staff/connexion/code.
func (s *Server) staffCode(c *fiber.Ctx) error {
	noStore(c)
	ss, ok, err := s.codeSession(c)
	if err != nil {
		return err
	}
	if !ok {
		if ss.Etape == store.SessionComplete {
			return nil
		}
		return c.Redirect("/staff/connexion", fiber.StatusSeeOther)
	}
	return s.codeForm(c, fiber.StatusOK, ss, "")
}

func (s *Server) codeForm(c *fiber.Ctx, status int, ss store.StaffSession, msg string) error {
	cr, err := s.store.StaffCredentialsByID(c.UserContext(), ss.Staff.ID)
	if err != nil {
		return err
	}
	p := &staffLoginPage{Step: "code", CSRF: ss.CSRF, Email: cr.Email, Error: msg}
	p.basePage = s.staffBase("Code de vérification", "/staff/connexion/code")
	if !cr.TOTPEnrolled {
		p.Enrol, p.Secret = true, cr.TOTPSecret
		p.URI = otpauthURI(cr.Email, cr.TOTPSecret)
		p.QR = qrSVG(p.URI)
	}
	return s.renderStaff(c, status, "staff/connexion", p)
}

// otpauthURI is the enrolment link an authenticator app reads.
func otpauthURI(email, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	return "otpauth://totp/" + url.PathEscape(totpIssuer+":"+email) + "?" + v.Encode()
}

// qrSVG draws the QR code of s as an inline SVG (the QR encoder of the
// badges), labelled for screen readers, which get the secret in text.
func qrSVG(s string) template.HTML {
	q, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return ""
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	const quiet = 4
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Code QR d'enrôlement (la clé est aussi donnée en texte ci-dessous)" viewBox="0 0 %d %d" width="220" height="220" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, n+2*quiet, n+2*quiet)
	for y, row := range bm {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			x0 := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x0+quiet, y+quiet, x-x0, x-x0)
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()) // built from numbers only
}

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep finds the time step (now ±1) whose code is code: 0 when none.
func totpStep(secret, code string, now time.Time) int64 {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" || secret == "" {
		return 0
	}
	var found int64
	for _, d := range []int64{-1, 0, 1} {
		t := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = t.Unix() / 30
		}
	}
	return found
}

// staffCodePost is POST /staff/connexion/code: the second factor (and the
// enrolment at the first login).
func (s *Server) staffCodePost(c *fiber.Ctx) error {
	noStore(c)
	ss, ok, err := s.codeSession(c)
	if err != nil {
		return err
	}
	if !ok {
		if ss.Etape == store.SessionComplete {
			return nil
		}
		return c.Redirect("/staff/connexion", fiber.StatusSeeOther)
	}
	if !sameToken(c.FormValue("csrf"), ss.CSRF) {
		return errCSRF
	}
	ctx := c.UserContext()
	cr, err := s.store.StaffCredentialsByID(ctx, ss.Staff.ID)
	if err != nil {
		return err
	}
	code := strings.ReplaceAll(strings.TrimSpace(c.FormValue("code")), " ", "")
	step := totpStep(cr.TOTPSecret, code, time.Now())
	locked := cr.LockedUntil != nil && cr.LockedUntil.After(time.Now())
	good := false
	if step > 0 && !locked {
		if good, err = s.store.UseStaffTOTPStep(ctx, cr.ID, step); err != nil {
			return err
		}
	}
	if !good {
		if !locked {
			if locked, err = s.store.StaffLoginFailed(ctx, cr.ID, s.cfg.StaffMaxFailures, s.cfg.StaffLockout); err != nil {
				return err
			}
		}
		s.log.Warn("staff login failed", "staff_id", cr.ID, "step", "code", "locked", locked, "ip", s.clientIP(c))
		time.Sleep(staffFailDelay)
		if locked {
			// back to the start: the password step will refuse until the lock ends
			if v := c.Cookies(staffCookie); v != "" {
				if err := s.store.DeleteStaffSession(ctx, hashID(v)); err != nil {
					return err
				}
			}
			setStaffCookie(c, staffCookie, "", 0)
			return s.loginForm(c, fiber.StatusUnauthorized, cr.Email, fmt.Sprintf("Trop d'échecs : le compte est verrouillé %s.", frenchDuration(s.cfg.StaffLockout)))
		}
		return s.codeForm(c, fiber.StatusUnauthorized, ss, "Code incorrect ou déjà utilisé : saisissez le code à 6 chiffres affiché maintenant par votre application.")
	}
	if err := s.store.StaffLoginSucceeded(ctx, cr.ID); err != nil {
		return err
	}
	if err := s.startSession(c, cr.ID, store.SessionComplete, s.cfg.StaffSessionMax); err != nil {
		return err
	}
	setStaffCookie(c, loginCookie, "", 0)
	s.log.Info("staff signed in", "staff_id", cr.ID, "enrolled_now", !cr.TOTPEnrolled, "ip", s.clientIP(c))
	return c.Redirect("/staff/signalements", fiber.StatusSeeOther)
}

// staffLogout is POST /staff/deconnexion.
func (s *Server) staffLogout(c *fiber.Ctx) error {
	h, _ := c.Locals(staffHashLocal).([]byte)
	if err := s.store.DeleteStaffSession(c.UserContext(), h); err != nil {
		return err
	}
	setStaffCookie(c, staffCookie, "", 0)
	return c.Redirect("/staff/connexion", fiber.StatusSeeOther)
}

// staffHome is GET /staff.
func (s *Server) staffHome(c *fiber.Ctx) error {
	return c.Redirect("/staff/signalements", fiber.StatusSeeOther)
}
