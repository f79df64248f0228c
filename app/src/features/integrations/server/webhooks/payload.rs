//! What a delivery carries: the event's data (ids, names, links; never document bytes or
//! secrets), as a Standard Webhooks body or as a chat message.

use crate::{ssr::db::Db, types::Timestamp};
use serde_json::{json, Value};

/// The queued data with, for an access request, its people, company, documents and rule, read
/// when it is sent (the facts of the event itself are the log's, queued with it).
pub async fn enrich(db: &Db, mut data: Value) -> Result<Value, sqlx::Error> {
    let id = data["object"]["id"].as_i64();
    if let (Some(id), Some("access_request")) = (id, data["object"]["type"].as_str()) {
        let request: Option<(String, String, String, String, String, Option<i64>)> = sqlx::query_as(
            "select p.email, p.name, c.name, c.domain, r.status, r.rule_id from access_requests r \
             join prospects p on p.id = r.prospect_id join companies c on c.id = r.company_id where r.id = $1",
        )
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
        if let Some((email, name, company, domain, status, rule_id)) = request {
            // The rule and status as the log recorded them when the event happened, if it did.
            let logged_rule = data["details"]["rule_id"].as_i64().or(rule_id);
            let rule: Option<(String, String)> = match logged_rule {
                Some(rule) => {
                    sqlx::query_as("select pattern, action from access_rules where id = $1")
                        .bind(rule)
                        .fetch_optional(db.pool())
                        .await?
                }
                None => None,
            };
            let documents: Vec<(String, String)> = sqlx::query_as(
                "select d.slug, d.title from access_request_documents ad join documents d on d.id = ad.document_id \
                 where ad.request_id = $1 order by d.title",
            )
            .bind(id)
            .fetch_all(db.pool())
            .await?;
            let status = data["details"]["status"].as_str().map(str::to_string).unwrap_or(status);
            data["request"] = json!({
                "id": id,
                "status": status,
                "prospect": { "email": email, "name": name },
                "company": { "name": company, "domain": domain },
                "documents": documents.iter().map(|(slug, title)| json!({ "slug": slug, "title": title })).collect::<Vec<_>>(),
                "rule": rule.map(|(pattern, action)| json!({ "id": logged_rule, "pattern": pattern, "action": action })),
            });
        }
    }
    Ok(data)
}

/// The staff (or public) page about the event's object.
fn link(data: &Value, base: &str) -> Option<String> {
    let id = data["object"]["id"].as_i64();
    let path = match (data["object"]["type"].as_str()?, id) {
        ("access_request", Some(id)) => format!("/admin/requests/{id}"),
        ("grant", _) => "/admin/grants".into(),
        ("document", _) => "/admin/documents".into(),
        ("nda_version", Some(id)) => format!("/admin/nda/{id}"),
        ("questionnaire", Some(id)) => format!("/admin/questionnaires/{id}"),
        ("kb_entry", Some(id)) => format!("/admin/kb/{id}"),
        ("update", _) => "/#updates".into(),
        ("checkpoint", _) => "/audit/checkpoint.json".into(),
        _ => return None,
    };
    Some(format!("{}{path}", base.trim_end_matches('/')))
}

/// The Standard Webhooks body: `type`, `timestamp` (when the event happened) and `data` with a
/// link. The same bytes on every attempt.
pub fn standard_body(event: &str, created_at: i64, data: &Value, base: &str) -> String {
    let mut data = data.clone();
    if let Some(link) = link(&data, base) {
        data["link"] = json!(link);
    }
    json!({ "type": event, "timestamp": Timestamp(created_at).rfc3339(), "data": data }).to_string()
}

/// Text from a buyer (a name, a company) made harmless in a chat message: no markup, no
/// mentions (`<!channel>`, `@here`), no links (a dot becomes `․`, so `trust-login.com` is not
/// turned into one), no invisible or direction-changing characters, one line, at most 120
/// characters.
pub fn chat_text(text: &str) -> String {
    let invisible = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{00AD}')
    };
    text.chars()
        .filter(|c| !invisible(*c))
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '&' => '＆',
            '@' => '＠',
            '*' => '＊',
            '_' => '＿',
            '~' => '～',
            '`' => 'ʼ',
            '[' => '［',
            ']' => '］',
            '|' => '｜',
            '#' => '＃',
            ':' => '：',
            '.' => '․',
            c => c,
        })
        .take(120)
        .collect()
}

/// A Slack- and Mattermost-compatible incoming-webhook body (`{"text": …}`). An access request
/// says who, which company, which documents, which rule applied, and where to decide (signed
/// in, with MFA: a chat message never approves anything).
pub fn chat_body(event: &str, data: &Value, base: &str) -> String {
    let link = link(data, base).unwrap_or_else(|| base.to_string());
    let text = match (&data["request"], event) {
        (request, "access.requested" | "access.approved" | "access.denied") if request.is_object() => {
            let s = |v: &Value| chat_text(v.as_str().unwrap_or_default());
            let documents: Vec<String> =
                request["documents"].as_array().into_iter().flatten().map(|d| s(&d["title"])).collect();
            let rule = match request["rule"].as_object() {
                Some(rule) => format!(
                    "rule {} ({})",
                    s(rule.get("pattern").unwrap_or(&Value::Null)),
                    s(rule.get("action").unwrap_or(&Value::Null)).replace('＿', " ")
                ),
                None => "no rule matched: review".into(),
            };
            let headline = match event {
                "access.requested" => "Access request",
                "access.approved" => "Access approved",
                _ => "Access denied",
            };
            format!(
                "{headline} from {} ({}) at {} ({})\nDocuments: {}\nDomain rule: {}\nStatus: {}\n{link}\nDecisions are made signed in, with a second factor.",
                s(&request["prospect"]["name"]),
                s(&request["prospect"]["email"]),
                s(&request["company"]["name"]),
                s(&request["company"]["domain"]),
                if documents.is_empty() { "all restricted documents".to_string() } else { documents.join(", ") },
                rule,
                s(&request["status"]).replace('＿', " "),
            )
        }
        _ => {
            let what = super::EVENTS.iter().find(|(code, _)| *code == event).map_or(event, |(_, label)| label);
            format!("{what} ({}).\n{link}", chat_text(data["actor"]["label"].as_str().unwrap_or_default()))
        }
    };
    json!({ "text": text }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_data(name: &str) -> Value {
        json!({
            "object": { "type": "access_request", "id": 12 },
            "actor": { "kind": "prospect", "label": "jane@contoso.example" },
            "request": {
                "id": 12, "status": "pending_review",
                "prospect": { "email": "jane@contoso.example", "name": name },
                "company": { "name": "Contoso", "domain": "contoso.example" },
                "documents": [{ "slug": "soc2", "title": "SOC 2 Type II report" }],
                "rule": { "id": 3, "pattern": "*.contoso.example", "action": "review" },
            },
        })
    }

    #[test]
    fn a_chat_message_names_who_what_and_where_to_decide() {
        let body: Value =
            serde_json::from_str(&chat_body("access.requested", &request_data("Jane Doe"), "https://trust.example"))
                .unwrap();
        let text = body["text"].as_str().unwrap();
        assert!(
            text.starts_with("Access request from Jane Doe (jane＠contoso․example) at Contoso (contoso․example)"),
            "{text}"
        );
        assert!(text.contains("Documents: SOC 2 Type II report"));
        assert!(text.contains("Domain rule: rule ＊․contoso․example (review)"));
        assert!(text.contains("https://trust.example/admin/requests/12"));
        assert_eq!(body.as_object().unwrap().len(), 1, "only text: both Slack and Mattermost take it");
    }

    #[test]
    fn buyer_text_cannot_mention_link_or_format() {
        let body: Value = serde_json::from_str(&chat_body(
            "access.requested",
            &request_data("<!channel> @here *x* [a](http://e)\nline"),
            "https://t",
        ))
        .unwrap();
        let text = body["text"].as_str().unwrap();
        assert!(
            !text.contains("<!channel>")
                && !text.contains("@here")
                && !text.contains("*x*")
                && !text.contains("](http")
        );
        assert_eq!(chat_text("evil\u{202E}moc.nigol-tsurt\u{200B}"), "evilmoc․nigol-tsurt");
        assert_eq!(text.lines().next().unwrap().matches("line").count(), 1, "no line break from the name");
    }

    #[test]
    fn the_standard_body_carries_type_timestamp_data_and_a_link() {
        let body: Value =
            serde_json::from_str(&standard_body("access.requested", 1_796_083_200, &request_data("J"), "https://t/"))
                .unwrap();
        assert_eq!(body["type"], "access.requested");
        assert_eq!(body["timestamp"], "2026-12-01T00:00:00Z");
        assert_eq!(body["data"]["link"], "https://t/admin/requests/12");
        assert_eq!(body["data"]["request"]["company"]["domain"], "contoso.example");
    }
}
