package importer

// registry lists the formats, most specific first.
var registry = []*Format{
	fmtRegions, fmtDepartements, fmtChomageRegion, fmtChomageDepartement, fmtAnnuaire, fmtACCE,
	fmtRomeFiches, fmtRomeAppellations, fmtRomeDomaines, fmtCertifInfo,
	fmtNFormation, fmtVFormation, fmtMef, fmtNiveau, fmtDispositif, fmtGroupe, fmtFamilles,
	fmtDEPPLyceePro, fmtDEPPCFA, fmtDEPPLegacy11, fmtDEPPLegacy9, fmtPortalCFA,
	fmtRegionFormation, fmtUAIFormation, fmtPortalFormation, fmtInserSup,
}
