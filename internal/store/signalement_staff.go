package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The back-office side of the correction requests (00011): lists, detail,
// and every change, each with its row in the append-only history in the
// same transaction.

// SignalementFilter selects requests for the staff list and the CSV
// export. Empty fields do not filter.
type SignalementFilter struct {
	Statut, Categorie, Academie, UAI string
	// Q is searched in the messages (the recherche tsvector, French).
	Q string
	// Du and Au bound the creation date (Au included: the whole day).
	Du, Au time.Time
	// Academies restricts to these académies (a relais); nil: all.
	Academies []string
	// Limit 0: no limit.
	Limit, Offset int
}

// Actor is the staff member making a change.
type Actor struct {
	StaffID int64
	Email   string
}

// RefusedError is a change the workflow refuses (model rules): its
// message is French, for the staff member.
type RefusedError struct{ Err error }

func (e *RefusedError) Error() string { return e.Err.Error() }

func refused(format string, a ...any) error { return &RefusedError{fmt.Errorf(format, a...)} }

const signalementCols = `s.id, s.numero, s.created_at, s.updated_at, s.uai, s.code, s.millesime, s.academie, s.page,
	s.categorie, s.message, s.valeur_correcte, s.statut, s.motif_public, coalesce(o.numero, ''), s.avis_public, s.assigne_a,
	s.nom, s.email, s.role, s.contact_ok, s.closed_at, s.purged_at`

func scanSignalement(row pgx.Row) (model.Signalement, error) {
	var g model.Signalement
	err := row.Scan(&g.ID, &g.Numero, &g.CreatedAt, &g.UpdatedAt, &g.UAI, &g.Code, &g.Millesime, &g.Academie, &g.Page,
		&g.Categorie, &g.Message, &g.ValeurCorrecte, &g.Statut, &g.MotifPublic, &g.DoublonDe, &g.AvisPublic, &g.AssigneA,
		&g.Nom, &g.Email, &g.Role, &g.ContactOK, &g.ClosedAt, &g.PurgedAt)
	return g, err
}

func (f SignalementFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Statut != "" {
		add("s.statut = ?", f.Statut)
	}
	if f.Categorie != "" {
		add("s.categorie = ?", f.Categorie)
	}
	if f.Academie != "" {
		add("s.academie = ?", f.Academie)
	}
	if f.UAI != "" {
		add("s.uai = ?", f.UAI)
	}
	if f.Q != "" {
		add("s.recherche @@ websearch_to_tsquery('french', ?)", f.Q)
	}
	if !f.Du.IsZero() {
		add("s.created_at >= ?", f.Du)
	}
	if !f.Au.IsZero() {
		add("s.created_at < ?", f.Au.AddDate(0, 0, 1))
	}
	if f.Academies != nil {
		add("s.academie = ANY(?)", f.Academies)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Signalements lists the requests of f, newest first, with the number of
// requests f selects in all.
func (s *Store) Signalements(ctx context.Context, f SignalementFilter) ([]model.Signalement, int, error) {
	where, args := f.where()
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM signalements s`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + signalementCols + ` FROM signalements s LEFT JOIN signalements o ON o.id = s.doublon_de` + where +
		` ORDER BY s.created_at DESC, s.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []model.Signalement
	for rows.Next() {
		g, err := scanSignalement(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, g)
	}
	return out, total, rows.Err()
}

// SignalementByNumero returns one request, or model.ErrNotFound.
func (s *Store) SignalementByNumero(ctx context.Context, numero string) (model.Signalement, error) {
	g, err := scanSignalement(s.pool.QueryRow(ctx, `SELECT `+signalementCols+`
		FROM signalements s LEFT JOIN signalements o ON o.id = s.doublon_de WHERE s.numero = $1`, numero))
	if errors.Is(err, pgx.ErrNoRows) {
		return g, model.ErrNotFound
	}
	return g, err
}

// SignalementEvenements is the whole history of a request, oldest first.
func (s *Store) SignalementEvenements(ctx context.Context, id int64) ([]model.SignalementEvenement, error) {
	rows, err := s.pool.Query(ctx, `SELECT at, acteur, nature, de_statut, vers_statut, note, public
		FROM signalement_evenements WHERE signalement_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.SignalementEvenement
	for rows.Next() {
		var e model.SignalementEvenement
		if err := rows.Scan(&e.At, &e.Acteur, &e.Nature, &e.DeStatut, &e.VersStatut, &e.Note, &e.Public); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SignalementPieceOf returns the attachment of request id, or
// model.ErrNotFound.
func (s *Store) SignalementPieceOf(ctx context.Context, id int64) (SignalementPiece, error) {
	var p SignalementPiece
	err := s.pool.QueryRow(ctx, `SELECT nom_fichier, content_type, contenu FROM signalement_pieces WHERE signalement_id = $1`, id).
		Scan(&p.Nom, &p.ContentType, &p.Contenu)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, model.ErrNotFound
	}
	return p, err
}

// HasSignalementPiece reports whether request id has an attachment (and
// its name).
func (s *Store) HasSignalementPiece(ctx context.Context, id int64) (string, bool, error) {
	var nom string
	err := s.pool.QueryRow(ctx, `SELECT nom_fichier FROM signalement_pieces WHERE signalement_id = $1`, id).Scan(&nom)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return nom, err == nil, err
}

func addEvenement(ctx context.Context, tx pgx.Tx, id int64, a Actor, nature, de, vers, note string, public bool) error {
	_, err := tx.Exec(ctx, `INSERT INTO signalement_evenements (signalement_id, acteur, staff_id, nature, de_statut, vers_statut, note, public)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, a.Email, a.StaffID, nature, de, vers, note, public)
	return err
}

// ChangeSignalementStatut moves request id to statut to, as
// model.SignalementTransition allows (motif: the public reason of rejete;
// original: the original's number for doublon), in one transaction: the
// request (closed_at set on closing, cleared on reopening), its history
// row (public), and, when the request has an email and is not purged, the
// email of the new status in the outbox with the link built from baseURL.
// note, when set, adds an internal note row.
func (s *Store) ChangeSignalementStatut(ctx context.Context, id int64, a Actor, to, motif, original, note, baseURL string) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var from, numero, email string
	var purged bool
	err = tx.QueryRow(ctx, `SELECT statut, numero, email, purged_at IS NOT NULL FROM signalements WHERE id = $1 FOR UPDATE`, id).
		Scan(&from, &numero, &email, &purged)
	if errors.Is(err, pgx.ErrNoRows) {
		return model.ErrNotFound
	}
	if err != nil {
		return err
	}
	motif, original = strings.TrimSpace(motif), strings.ToUpper(strings.TrimSpace(original))
	if err := model.SignalementTransition(from, to, motif, original); err != nil {
		return &RefusedError{err}
	}
	var doublonDe *int64
	publicNote := ""
	switch to {
	case model.SignalementRejete:
		publicNote = motif
	case model.SignalementDoublon:
		if original == numero {
			return refused("un signalement ne peut pas être le doublon de lui-même")
		}
		var oid int64
		err := tx.QueryRow(ctx, `SELECT id FROM signalements WHERE numero = $1`, original).Scan(&oid)
		if errors.Is(err, pgx.ErrNoRows) {
			return refused("le signalement d'origine %s n'existe pas", original)
		}
		if err != nil {
			return err
		}
		doublonDe = &oid
		publicNote = "doublon de " + original
	}
	if to != model.SignalementRejete {
		motif = ""
	}
	if _, err := tx.Exec(ctx, `UPDATE signalements SET statut = $2, motif_public = $3, doublon_de = $4, updated_at = now(),
			closed_at = CASE WHEN $5 THEN coalesce(closed_at, now()) ELSE NULL END
		WHERE id = $1`, id, to, motif, doublonDe, model.SignalementClosed(to)); err != nil {
		return err
	}
	if err := addEvenement(ctx, tx, id, a, "statut", from, to, publicNote, true); err != nil {
		return err
	}
	if note = strings.TrimSpace(note); note != "" {
		if err := addEvenement(ctx, tx, id, a, "note", "", "", note, false); err != nil {
			return err
		}
	}
	if email != "" && !purged {
		sujet, corps := model.SignalementStatusEmail(baseURL, numero, to, motif, original)
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (signalement_id, destinataire, sujet, corps) VALUES ($1, $2, $3, $4)`,
			id, email, sujet, corps); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// AssignSignalement puts request id in the hands of staff member to (nil:
// nobody); label names them in the history.
func (s *Store) AssignSignalement(ctx context.Context, id int64, a Actor, to *int64, label string) error {
	return s.signalementChange(ctx, id, a, `UPDATE signalements SET assigne_a = $2, updated_at = now() WHERE id = $1`, []any{to},
		"assignation", label, false)
}

// AddSignalementNote adds an internal note (never public).
func (s *Store) AddSignalementNote(ctx context.Context, id int64, a Actor, note string) error {
	note = strings.TrimSpace(note)
	if note == "" {
		return refused("la note est vide")
	}
	return s.signalementChange(ctx, id, a, `UPDATE signalements SET updated_at = now() WHERE id = $1`, nil, "note", note, false)
}

// SetSignalementAvisPublic shows (or hides) the « signalement en cours
// d'examen » notice on the concerned page.
func (s *Store) SetSignalementAvisPublic(ctx context.Context, id int64, a Actor, on bool) error {
	note := "avis public retiré"
	if on {
		note = "avis public affiché sur la page concernée"
	}
	return s.signalementChange(ctx, id, a, `UPDATE signalements SET avis_public = $2, updated_at = now() WHERE id = $1`, []any{on},
		"avis_public", note, false)
}

func (s *Store) signalementChange(ctx context.Context, id int64, a Actor, q string, args []any, nature, note string, public bool) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, q, append([]any{id}, args...)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return model.ErrNotFound
	}
	if err := addEvenement(ctx, tx, id, a, nature, "", "", note, public); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// OutboxState is an email of the outbox, as staff see it.
type OutboxState struct {
	CreatedAt    time.Time
	Destinataire string
	Sujet        string
	Tentatives   int
	EnvoyeAt     *time.Time
	Erreur       string
	Abandonne    bool
}

// SignalementOutbox lists the emails about request id, oldest first: staff
// see what was sent, what waits (no SMTP_URL, or retries) and what failed.
func (s *Store) SignalementOutbox(ctx context.Context, id int64) ([]OutboxState, error) {
	rows, err := s.pool.Query(ctx, `SELECT created_at, destinataire, sujet, tentatives, envoye_at, derniere_erreur, abandonne
		FROM outbox WHERE signalement_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxState
	for rows.Next() {
		var m OutboxState
		if err := rows.Scan(&m.CreatedAt, &m.Destinataire, &m.Sujet, &m.Tentatives, &m.EnvoyeAt, &m.Erreur, &m.Abandonne); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
