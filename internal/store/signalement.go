package store

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Correction requests (« signalements »), public side: the submission in
// one transaction (request, its « depot » event, attachment, outbox
// email), the public status page, the POST rate counters shared by every
// node, the public notices of the data pages and the purge of personal
// data. The schema is migrations/00011_signalements.sql.

// SignalementPiece is an attachment whose type was checked by content.
type SignalementPiece struct {
	Nom         string
	ContentType string
	Contenu     []byte
}

// OutboxMail is an email to write into the outbox. Its body may hold
// {{numero}}, replaced by the tracking number once it is drawn.
type OutboxMail struct {
	To, Subject, Body string
}

// NumeroPlaceholder is replaced in an OutboxMail by the tracking number.
const NumeroPlaceholder = "{{numero}}"

// UAIAcademie is the académie code of an establishment: its own, else the
// one of the département of its UAI ("" when unknown).
func (s *Store) UAIAcademie(ctx context.Context, uai string) (string, error) {
	var a string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(
  (SELECT academie FROM etablissement_sources WHERE uai = $1 AND academie IS NOT NULL ORDER BY precedence DESC LIMIT 1),
  (SELECT academie_code FROM departements WHERE code = $2), '')`, uai, model.DepartementOfUAI(uai)).Scan(&a)
	return a, err
}

// CreateSignalement stores a new request in one transaction: the request,
// its public « depot » event, the attachment and the acknowledgment email
// (when m is not nil). It draws the tracking number (a collision is drawn
// again) and returns it.
func (s *Store) CreateSignalement(ctx context.Context, sg *model.Signalement, piece *SignalementPiece, m *OutboxMail) (string, error) {
	for attempt := 0; ; attempt++ {
		numero, err := model.NewNumero(time.Now())
		if err != nil {
			return "", err
		}
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO signalements (numero, uai, code, millesime, academie, page, categorie, message,
  valeur_correcte, nom, email, role, contact_ok)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
				numero, sg.UAI, sg.Code, sg.Millesime, sg.Academie, sg.Page, sg.Categorie, sg.Message, sg.ValeurCorrecte,
				sg.Nom, sg.Email, sg.Role, sg.ContactOK).Scan(&id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO signalement_evenements (signalement_id, acteur, nature, vers_statut, public)
VALUES ($1, 'public', 'depot', $2, true)`, id, model.SignalementRecu); err != nil {
				return err
			}
			if piece != nil {
				if _, err := tx.Exec(ctx, `INSERT INTO signalement_pieces (signalement_id, nom_fichier, content_type, taille, contenu)
VALUES ($1, $2, $3, $4, $5)`, id, piece.Nom, piece.ContentType, len(piece.Contenu), piece.Contenu); err != nil {
					return err
				}
			}
			if m != nil {
				if _, err := tx.Exec(ctx, `INSERT INTO outbox (signalement_id, destinataire, sujet, corps) VALUES ($1, $2, $3, $4)`,
					id, m.To, replaceNumero(m.Subject, numero), replaceNumero(m.Body, numero)); err != nil {
					return err
				}
			}
			return nil
		})
		var pe *pgconn.PgError
		if err != nil && errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "signalements_numero_key" && attempt < 5 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("enregistrement du signalement : %w", err)
		}
		sg.Numero = numero
		return numero, nil
	}
}

func replaceNumero(s, numero string) string { return strings.ReplaceAll(s, NumeroPlaceholder, numero) }

// SignalementPublic is the public view of a request (by tracking number):
// never the personal data, internal notes or staff identity. It returns
// model.ErrNotFound for an unknown number.
func (s *Store) SignalementPublic(ctx context.Context, numero string) (model.Signalement, []model.SignalementEvenement, error) {
	var sg model.Signalement
	err := s.pool.QueryRow(ctx, `SELECT s.id, s.numero, s.created_at, s.updated_at, s.uai, s.code, s.millesime, s.page, s.categorie,
  s.statut, s.motif_public, coalesce(o.numero, ''), s.closed_at
FROM signalements s LEFT JOIN signalements o ON o.id = s.doublon_de WHERE s.numero = $1`, numero).Scan(
		&sg.ID, &sg.Numero, &sg.CreatedAt, &sg.UpdatedAt, &sg.UAI, &sg.Code, &sg.Millesime, &sg.Page, &sg.Categorie,
		&sg.Statut, &sg.MotifPublic, &sg.DoublonDe, &sg.ClosedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return sg, nil, model.ErrNotFound
	}
	if err != nil {
		return sg, nil, err
	}
	// The public history: what happened and when, never who (acteur) nor
	// the internal notes (public = false).
	rows, err := s.pool.Query(ctx, `SELECT at, nature, de_statut, vers_statut, note FROM signalement_evenements
WHERE signalement_id = $1 AND public ORDER BY id`, sg.ID)
	if err != nil {
		return sg, nil, err
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.SignalementEvenement, error) {
		e := model.SignalementEvenement{Public: true}
		return e, r.Scan(&e.At, &e.Nature, &e.DeStatut, &e.VersStatut, &e.Note)
	})
	return sg, evs, err
}

// TakePostRate counts one submission of client in the current fixed
// window of the shared counters: the count so far (this one included)
// and when the window ends. Every node counts in the same row.
func (s *Store) TakePostRate(ctx context.Context, client string, window time.Duration) (int, time.Time, error) {
	var n int
	var start time.Time
	err := s.pool.QueryRow(ctx, `INSERT INTO post_rate AS p (client, fenetre, nombre)
VALUES ($1, date_bin(make_interval(secs => $2), now(), timestamptz '2000-01-01 00:00:00+00'), 1)
ON CONFLICT (client, fenetre) DO UPDATE SET nombre = p.nombre + 1
RETURNING nombre, fenetre`, client, window.Seconds()).Scan(&n, &start)
	return n, start.Add(window), err
}

// CleanPostRate drops the counters of windows ended before now - keep.
func (s *Store) CleanPostRate(ctx context.Context, keep time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM post_rate WHERE fenetre < now() - make_interval(secs => $1)`, keep.Seconds())
	return tag.RowsAffected(), err
}

// openPublic selects the open requests staff marked public.
const openPublic = `avis_public AND statut IN ('recu', 'en_cours', 'transmis_producteur')`

// AvisVersion fingerprints the set of open public requests (ids and last
// changes): 0 when there is none. Pages that show the notice fold it into
// their cache key, so the notice follows staff changes within the data
// state's lifetime.
func (s *Store) AvisVersion(ctx context.Context) (int64, error) {
	var agg string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(string_agg(id::text || ':' || uai || ':' || code || ':' ||
  extract(epoch FROM updated_at)::text, ',' ORDER BY id), '') FROM signalements WHERE `+openPublic).Scan(&agg)
	if err != nil || agg == "" {
		return 0, err
	}
	h := md5.Sum([]byte(agg))
	return int64(binary.BigEndian.Uint64(h[:8]) >> 1), nil
}

// AvisSignalement reports whether an open public request concerns the
// page of uai and code: an establishment (code ""), a formation (uai "")
// or a pair (a request on the establishment, the formation or the pair).
func (s *Store) AvisSignalement(ctx context.Context, uai, code string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signalements WHERE `+openPublic+` AND (
  ($1 <> '' AND $2 = '' AND uai = $1) OR
  ($1 = '' AND $2 <> '' AND code = $2) OR
  ($1 <> '' AND $2 <> '' AND ((uai = $1 AND code IN ($2, '')) OR (uai = '' AND code = $2)))))`, uai, code).Scan(&ok)
	return ok, err
}

// PurgeSignalements erases the personal data of the requests closed more
// than months ago and not purged yet: name, email, role, consent, the
// attachment and the addresses of their emails (unsent ones are
// abandoned), then sets purged_at and appends a « purge » event, each
// request in its own transaction. Running it again finds nothing to do.
func (s *Store) PurgeSignalements(ctx context.Context, months int) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM signalements
WHERE purged_at IS NULL AND closed_at IS NOT NULL AND closed_at < now() - make_interval(months => $1) ORDER BY id`, months)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `UPDATE signalements SET nom = '', email = '', role = '', contact_ok = false,
  purged_at = now() WHERE id = $1 AND purged_at IS NULL`, id)
			if err != nil || tag.RowsAffected() == 0 { // purged meanwhile by another run
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM signalement_pieces WHERE signalement_id = $1`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE outbox SET destinataire = '', corps = '',
  abandonne = abandonne OR envoye_at IS NULL WHERE signalement_id = $1`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO signalement_evenements (signalement_id, acteur, nature, note)
VALUES ($1, 'systeme', 'purge', $2)`, id, fmt.Sprintf("données personnelles effacées (conservation : %d mois après la clôture)", months)); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("purge du signalement %d : %w", id, err)
		}
	}
	return n, nil
}
