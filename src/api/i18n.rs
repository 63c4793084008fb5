//! French messages for error codes (`Accept-Language: fr`). A code without a translation keeps its
//! English message.

/// Whether the client asked for French (`Accept-Language: fr...`).
pub fn wants_french(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("fr"))
}

pub fn french(code: &str) -> Option<&'static str> {
    Some(match code {
        "unauthorized" => "une clé d'API valide est requise : Authorization: Bearer <clé>",
        "not_found" => "ressource introuvable",
        "invalid_json" => "le corps de la requête n'est pas un JSON valide",
        "unsupported_media_type" => "le corps de la requête doit être de type application/json",
        "validation_failed" => "la requête n'est pas valide",
        "missing_requirements" => "des réponses ou des documents obligatoires manquent",
        "missing" => "obligatoire et pas encore fourni",
        "duplicate" => "cette ressource existe déjà",
        "stale" => "modifié par quelqu'un d'autre entre-temps ; relisez la ressource",
        "invalid_transition" => "ce changement de statut n'est pas permis",
        "conflict" => "la requête est en conflit avec l'état actuel",
        "forbidden" => "action non autorisée",
        "payload_too_large" => "le corps de la requête est trop volumineux",
        "internal_error" => "une erreur s'est produite de notre côté",
        "unknown_requirement" => "ce niveau ne comporte pas cette exigence",
        "invalid_email" => "adresse e-mail invalide",
        "invalid_phone" => "numéro de téléphone invalide (format E.164 attendu)",
        "invalid_date" => "date invalide (format AAAA-MM-JJ attendu)",
        "invalid_country" => "code pays ISO 3166-1 alpha-2 invalide",
        "invalid_government_id" => "numéro d'identification invalide",
        "invalid_option" => "valeur hors de la liste proposée",
        "required" => "valeur obligatoire",
        "too_long" => "valeur trop longue",
        "invalid_type" => "type de valeur incorrect",
        "upload_required" => "cette exigence se remplit par le téléversement d'un document",
        "rate_limited" => "trop de requêtes ; réessayez plus tard",

        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_have_french_and_others_fall_back() {
        assert_eq!(french("not_found"), Some("ressource introuvable"));
        assert_eq!(french("no_such_code"), None);
    }
}
