#!/usr/bin/env bash
# exposition-client.sh — the calls a partner of the Exposition InserJeunes API makes (the examples of its
# OpenAPI document), against any base URL: ours or the partner's. Only the base URL changes.
#
#   scripts/exposition-client.sh [BASE_URL] [MEFSTAT11] [CFD] [UAI] [REGION]
#
# BASE_URL defaults to http://127.0.0.1:8080; the codes default to the examples of the document
# (MEFSTAT11:32221031409, CFD:32031409, UAI 0060033D, région 84). Needs curl and jq.
set -euo pipefail

BASE="${1:-http://127.0.0.1:8080}"
MEF="${2:-32221031409}"
CFD="${3:-32031409}"
UAI="${4:-0060033D}"
REGION="${5:-84}"
API="${BASE%/}/api/inserjeunes"

command -v curl >/dev/null || { echo "curl est requis" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq est requis" >&2; exit 2; }

# call LABEL PATH JQ_FILTER: prints the HTTP status and a summary of the JSON answer.
call() {
	local label="$1" path="$2" filter="$3" out status
	out="$(mktemp)"
	status="$(curl -sS -o "$out" -w '%{http_code}' "$API$path")"
	printf '\n== %s\nGET %s → %s\n' "$label" "$API$path" "$status"
	if [ "$status" = 200 ]; then
		jq -c "$filter" "$out"
	else
		jq -c '{statusCode, message, data}' "$out" 2>/dev/null || head -c 300 "$out"
	fi
	rm -f "$out"
}

parts='{millesime, code_certification, filiere, libelle, donnee_source: .donnee_source.type,
  nb_annee_term, taux_en_emploi_6_mois, taux_en_formation, taux_autres_6_mois, messages: ._meta.messages}'

call "certification, voie scolaire (MEFSTAT11)" "/certifications/MEFSTAT11:$MEF" "$parts"
call "certification, apprentissage (CFD)" "/certifications/CFD:$CFD" "$parts"
call "vue par filière" "/certifications/CFD:$CFD?vue=filieres" \
	'with_entries(.value |= {millesime, nb_annee_term, taux_en_emploi_6_mois, taux_en_formation, taux_autres_6_mois})'
call "plusieurs certifications" "/certifications/MEFSTAT11:$MEF%7CCFD:$CFD" 'keys'
call "certification dans une région" "/regionales/$REGION/certifications/MEFSTAT11:$MEF" "$parts + {region: .region.nom}"
call "formation dans un établissement" "/formations/$UAI-MEFSTAT11:$MEF" "$parts + {uai, uai_type}"
call "liste des certifications (page 1, 3 éléments)" "/certifications?items_par_page=3" \
	'{pagination, codes: [.certifications[].code_certification]}'
printf '\n== export CSV des certifications (3 lignes)\n'
curl -sS "$API/certifications.csv?items_par_page=3" | head -n 4
