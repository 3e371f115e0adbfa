package model

// SecretStatistique is the one decision of the secret statistique (DESIGN
// §3.4), shared by every figure type (RawFigure.Disclose, RawSupFigure.Disclose):
//   - hideAll: the population (nb_annee_term for InserJeunes, nb_diplomes
//     for InserSup) is below Seuil: no rate and no count but the population
//     may be shown;
//   - hideEmploi: the leavers (nb_sortant, nb_sortants) are below Seuil:
//     no employment rate (their denominator) and nothing derived from it.
//
// An unknown (nil) count decides nothing: published rates stay as the
// producer published them (the producer applies the same thresholds).
func SecretStatistique(population, sortants *int) (hideAll, hideEmploi bool) {
	if population != nil && *population < Seuil {
		return true, true
	}
	return false, sortants != nil && *sortants < Seuil
}

// IsAbsence reports whether a statut says there is no figure at all
// (DESIGN §3.11): unknown code or UAI, formation not taught there, no figure
// for the millésime. Sous_seuil and non_diffuse are not absences: a figure
// exists, partly hidden.
func IsAbsence(statut string) bool {
	switch statut {
	case StatutCodeInconnu, StatutUAIInconnu, StatutNonDispensee, StatutMillesimeAbsent:
		return true
	}
	return false
}

// NotFoundError says why a read path has nothing to return (DESIGN
// §3.11): Statut is the absence statut (code_inconnu, uai_inconnu,
// non_dispensee, millesime_absent), Message a French sentence. It wraps
// ErrNotFound.
type NotFoundError struct {
	Statut  string
	Message string
	// Millesimes lists the millésimes that exist (millesime_absent).
	Millesimes []string
}

func (e *NotFoundError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrNotFound) hold.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }
