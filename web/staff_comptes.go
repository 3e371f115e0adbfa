package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// /staff/comptes: the admin manages the staff accounts (create, disable,
// enable, reset the second factor). A created account's password is shown
// once, on the answer page; the TOTP is enrolled at its first login.

type staffComptesPage struct {
	staffPage
	Accounts []staffAccountView
	Roles    []model.Categorie
	// Form re-displays a refused creation.
	FormEmail, FormRole, FormAcademies string
	// Created and Password: the account just created, its password shown
	// once.
	Created, Password string
}

type staffAccountView struct {
	model.StaffMember
	RoleLabel, Academies, Created string
	Locked                        bool
}

// staffComptes is GET /staff/comptes.
func (s *Server) staffComptes(c *fiber.Ctx) error {
	return s.renderComptes(c, fiber.StatusOK, func(*staffComptesPage) {})
}

func (s *Server) renderComptes(c *fiber.Ctx, status int, fill func(*staffComptesPage)) error {
	list, err := s.store.StaffList(c.UserContext())
	if err != nil {
		return err
	}
	p := &staffComptesPage{staffPage: s.newStaffPage(c, "Comptes de l'équipe", "/staff/comptes"), Roles: model.StaffRoles, FormRole: model.StaffModerateur}
	for _, m := range list {
		p.Accounts = append(p.Accounts, staffAccountView{StaffMember: m, RoleLabel: model.StaffRoleLabel(m.Role),
			Academies: strings.Join(m.Academies, ", "), Created: frenchDate(m.CreatedAt),
			Locked: m.LockedUntil != nil && m.LockedUntil.After(time.Now())})
	}
	fill(p)
	return s.renderStaff(c, status, "staff/comptes", p)
}

// staffComptesPost is POST /staff/comptes: create an account.
func (s *Server) staffComptesPost(c *fiber.Ctx) error {
	email, role, acs := formText(c, "email", 254), formText(c, "role", 20), formText(c, "academies", 200)
	refuse := func(msg string) error {
		return s.renderComptes(c, fiber.StatusUnprocessableEntity, func(p *staffComptesPage) {
			p.Error, p.FormEmail, p.FormRole, p.FormAcademies = msg, email, role, acs
		})
	}
	em, list, err := model.NormalizeStaff(email, role, strings.FieldsFunc(acs, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }))
	if err != nil {
		return refuse(err.Error())
	}
	password := GenerateStaffPassword()
	hash, err := HashStaffPassword(password)
	if err != nil {
		return err
	}
	if _, err := s.store.CreateStaff(c.UserContext(), em, role, list, hash); errors.Is(err, store.ErrStaffExists) {
		return refuse(err.Error())
	} else if err != nil {
		return err
	}
	s.log.Info("staff account created", "by", currentStaff(c).Staff.ID, "email", em, "role", role)
	return s.renderComptes(c, fiber.StatusOK, func(p *staffComptesPage) { p.Created, p.Password = em, password })
}

// staffCompteAction is POST /staff/comptes/:id/:action (desactiver,
// reactiver, totp).
func (s *Server) staffCompteAction(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return errNotFound("compte_inconnu", "Ce compte n'existe pas.")
	}
	me := currentStaff(c).Staff
	ctx := c.UserContext()
	var notice string
	switch c.Params("action") {
	case "desactiver":
		if id == me.ID {
			return s.renderComptes(c, fiber.StatusUnprocessableEntity, func(p *staffComptesPage) { p.Error = "Vous ne pouvez pas désactiver votre propre compte." })
		}
		err, notice = s.store.SetStaffDisabled(ctx, id, true), "Le compte est désactivé ; ses sessions sont fermées."
	case "reactiver":
		err, notice = s.store.SetStaffDisabled(ctx, id, false), "Le compte est réactivé."
	case "totp":
		err, notice = s.store.ResetStaffTOTP(ctx, id), "Le second facteur est réinitialisé : il sera enrôlé à la prochaine connexion."
	default:
		return errNotFound("action_inconnue", "Cette action n'existe pas.")
	}
	if errors.Is(err, model.ErrNotFound) {
		return errNotFound("compte_inconnu", "Ce compte n'existe pas.")
	}
	if err != nil {
		return err
	}
	s.log.Info("staff account changed", "by", me.ID, "staff_id", id, "action", c.Params("action"))
	if id == me.ID && c.Params("action") == "totp" {
		// own sessions ended: sign in again
		setStaffCookie(c, staffCookie, "", 0)
		return c.Redirect("/staff/connexion", fiber.StatusSeeOther)
	}
	return s.renderComptes(c, fiber.StatusOK, func(p *staffComptesPage) { p.Notice = notice })
}
