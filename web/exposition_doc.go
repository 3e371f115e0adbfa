package web

import (
	"github.com/vitrine-inserjeunes/vitrine/internal/model"

	"github.com/gofiber/fiber/v2"
)

// The page /api/exposition-inserjeunes: the Exposition-compatible routes,
// their status, and the mapping of every field from our model to the
// partner's vocabulary (internal/model/exposition.go), in French.

// expoRouteDoc is one route of the partner's document with its status here.
type expoRouteDoc struct {
	Route, Statut, Note string
}

// expoFieldDoc is one field of the partner's objects and where it comes
// from here.
type expoFieldDoc struct {
	Champ, Source, Regle string
}

// expoRoutes lists every route of the partner's document.
var expoRoutes = []expoRouteDoc{
	{"GET /api/inserjeunes/certifications/{code_certification}", "implémentée", "CFD (apprentissage), MEFSTAT11 (voie scolaire) avec ou sans préfixe, SISE:… (InserSup). Paramètres millesime (2024 ou 2023_2024) et vue=filieres."},
	{"GET /api/inserjeunes/certifications/{codes_certifications}", "implémentée", "Vue par filière (pro, apprentissage) de plusieurs codes séparés par des virgules ou des |, sommes des effectifs puis taux arrondis au pair le plus proche."},
	{"GET /api/inserjeunes/regionales/{code_region}/certifications/{code_certification}", "implémentée", "Code INSEE de région ou code postal ; vue=filieres et plusieurs codes acceptés. Pas de chiffres régionaux InserSup (comme chez le partenaire)."},
	{"GET /api/inserjeunes/formations/{uai}-{code_certification}", "implémentée", "Établissement × certification, SISE compris. uai_type : lieu_formation en voie scolaire, inconnu sinon (nos fichiers ne disent pas le rôle des UAI d'apprentissage)."},
	{"GET /api/inserjeunes/certifications, .json, .csv", "partielle", "Publique ici (pas de clé). Chiffres propres seulement (donnee_source.type = self) ; pas encore de code SISE dans les listes ; items_par_page borné à 50."},
	{"GET /api/inserjeunes/regionales, .json, .csv et /regionales/{code_region}, .json, .csv", "partielle", "Publique ici. Chiffres propres seulement ; items_par_page borné à 50."},
	{"GET /api/inserjeunes/formations, .json, .csv", "partielle", "Publique ici ; filtres uais, regions, academies, millesimes, code_certifications. Chiffres propres seulement ; pas encore de code SISE ; items_par_page borné à 50."},
	{"GET …/formations/{uai}-{code}.svg", "implémentée", "Redirigée vers notre badge de la paire (/badges/etablissements/{uai}/formations/{code}.svg) ; imageOnError=true ou empty donne l'image « données non disponibles »."},
	{"GET …/certifications/{code}.svg et …/regionales/{region}/certifications/{code}.svg", "non applicable", "Pas de badge national ni régional chez nous : 404 « Données non disponibles », l'erreur documentée du partenaire."},
	{"POST /api/inserjeunes/auth/login", "non applicable", "Nos routes sont publiques : aucune clé, aucun jeton ; le débit est limité par adresse IP."},
	{"GET /api/inserjeunes/bcn", "non applicable", "Absente du document ; nos libellés BCN sont servis par /api/v1/formations/{code}."},
}

// expoFields documents the mapping, field by field.
var expoFields = []expoFieldDoc{
	{"millesime", "millésime du chiffre", "Nos chiffres nationaux sont des sommes des régions : cumuls de deux promotions (2023_2024). millesime=2024 demande aussi 2023_2024 et inversement ; le millésime servi est celui du chiffre."},
	{"code_certification", "code demandé", "CFD ou MEFSTAT11 nu, SISE:… pour InserSup."},
	{"code_formation_diplome", "CFD", "CFD de la formation (MEFSTAT11 → CFD par la BCN N_MEF)."},
	{"filiere", "voie", "scolaire → pro, apprentissage → apprentissage, supérieur → superieur ; nos fichiers ne distinguent pas la voie agricole."},
	{"libelle, libelle_ancien", "libellé BCN", "Libellé long de la BCN ; libelle_ancien : celui du prédécesseur 1 pour 1 quand il diffère."},
	{"diplome {code, libelle}", "niveau", "Code du nouveau niveau d'après le premier chiffre du CFD (5 → 3, 4 → 4, 3 → 5, 2 → 6, 1 → 7, 0 → 0), libellé court du niveau."},
	{"date_fermeture, formation_fermee", "date de fermeture BCN", "formation_fermee vaut true quand la date est passée."},
	{"donnee_source {code, nom, code_certification, type}", "source_continuum", "self : chiffres propres ; ancienne : empruntés à l'ancien diplôme 1 pour 1 ; nouvelle : au nouveau. Le document exige code et nom : nous écrivons les quatre."},
	{"nb_annee_term", "nb_annee_term", "InserSup : nb_diplomes (la population de notre secret statistique)."},
	{"nb_sortant, nb_poursuite_etudes, nb_en_emploi_{6,12,18,24}_mois", "mêmes noms", "InserSup : nb_sortants, nb_poursuivants, nb_en_emploi_salarie_fr_X_mois."},
	{"taux_en_emploi_6_mois", "part_emploi_6_mois", "Part de nb_annee_term (et non notre taux_emploi_6_mois, calculé sur les sortants)."},
	{"taux_en_formation", "part_poursuite_etudes", "Part de nb_annee_term."},
	{"taux_autres_6_mois", "part_autres_situations", "max(0, 100 − emploi − formation) à partir des parts arrondies."},
	{"taux_en_emploi_{12,18,24}_mois", "calculé", "nb_en_emploi_X_mois / nb_annee_term, arrondi au pair le plus proche."},
	{"taux_autres_{12,18,24}_mois", "calculé", "max(0, 100 − taux_en_emploi_X_mois − taux_en_formation)."},
	{"taux_rupture_contrats", "taux_contrats_interrompus", "Apprentissage, tel que publié."},
	{"salaire_12_mois_q1, q2, q3", "salaires InserSup à 12 mois", "Quand le producteur les publie (InserSup)."},
	{"region {code, nom}, academie", "territoire", "Code INSEE de la région."},
	{"uai_type, uai_donnee, uai_donnee_type", "voie", "lieu_formation en voie scolaire ; inconnu en apprentissage et dans le supérieur ; uai_donnee est toujours l'UAI demandé (nous ne propageons rien entre UAI)."},
	{"_meta {date_import, titre, details, messages}", "import", "date_import : date de l'import du fichier source (exigée par le document) ; messages : la phrase du partenaire sous le seuil."},
	{"valeur_ajoutee, demonstration", "champs en plus", "Champs facultatifs absents du document : valeur ajoutée publiée par la DEPP ; demonstration vaut true pour un chiffre fictif de démonstration."},
}

// expoDocPage is the page's struct.
type expoDocPage struct {
	basePage
	Routes   []expoRouteDoc
	Fields   []expoFieldDoc
	Message  string
	Examples []string
}

// expoExamples are the partner's example calls, on our base.
var expoExamples = []string{
	"/api/inserjeunes/certifications/MEFSTAT11:23830030001",
	"/api/inserjeunes/certifications/CFD:40030001?vue=filieres",
	"/api/inserjeunes/certifications/MEFSTAT11:23830030001|CFD:40030001",
	"/api/inserjeunes/regionales/84/certifications/MEFSTAT11:23830030001",
	"/api/inserjeunes/certifications.csv?items_par_page=20",
}

// expositionDoc is GET /api/exposition-inserjeunes.
func (s *Server) expositionDoc(c *fiber.Ctx) error {
	// An HTML page under /api/: the page policy, not the API's (which
	// forbids the site's own styles).
	c.Set("Content-Security-Policy", pageCSP)
	return s.serve(c, func(st dataState) (*built, error) {
		p := &expoDocPage{Routes: expoRoutes, Fields: expoFields, Message: expoMessageSousSeuil(), Examples: expoExamples}
		p.basePage = s.newBase(st, "API compatible Exposition InserJeunes",
			"Les routes publiques de l'API Exposition InserJeunes servies par ce site : mêmes adresses, paramètres et réponses JSON.", "/api/exposition-inserjeunes")
		p.Breadcrumb = []crumb{{Label: "API compatible Exposition InserJeunes", URL: "/api/exposition-inserjeunes"}}
		body, err := s.renderPage("pages/exposition", p)
		if err != nil {
			return nil, err
		}
		return &built{Body: body, ContentType: fiber.MIMETextHTMLCharsetUTF8}, nil
	})
}

func expoMessageSousSeuil() string { return model.ExpoMessageSousSeuil }
