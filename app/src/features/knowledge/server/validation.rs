//! What a staff member typed into the entry form, checked field by field into an entry that can
//! be stored.

use super::entries::{lines, tags};
use crate::features::knowledge::forms::EntryInput;
use crate::{
    error::{AppError, FieldError},
    features::knowledge::model::{KbEntry, KbStatus, KbVisibility},
    types::IsoDate,
};

/// A validated entry, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEntry {
    pub external_id: String,
    pub question: String,
    pub alternatives: Vec<String>,
    pub short_answer: String,
    pub explanation: String,
    pub category: String,
    pub tags: Vec<String>,
    pub owner_id: Option<i64>,
    pub status: KbStatus,
    pub visibility: KbVisibility,
    pub last_reviewed_on: Option<IsoDate>,
    pub review_interval_days: i64,
}

impl EntryInput {
    /// Checks every field; all problems at once, each next to its field.
    pub fn validate(&self) -> Result<ValidEntry, AppError> {
        let mut fields = Vec::new();
        let mut problem =
            |field: &str, message: &str| fields.push(FieldError { field: field.into(), message: message.into() });
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let external_id = self.external_id.trim().to_string();
        if external_id.is_empty()
            || external_id.len() > answers::kb::MAX_ID
            || external_id.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            problem("external_id", "Give an id of 1 to 64 characters without spaces, e.g. KB-081.");
        }
        let question = one_line(&self.question);
        if question.is_empty() {
            problem("question", "Write the question this entry answers.");
        } else if question.chars().count() > answers::kb::MAX_QUESTION {
            problem("question", "Keep the question under 2,000 characters.");
        }
        let alternatives = lines(&self.alternatives);
        if alternatives.len() > 20 || alternatives.iter().any(|a| a.chars().count() > answers::kb::MAX_QUESTION) {
            problem("alternatives", "Up to 20 phrasings, one per line, each under 2,000 characters.");
        }
        let short_answer = answers::kb::ShortAnswer::parse(&self.short_answer).map(|s| s.as_str().to_string());
        if short_answer.is_none() {
            problem("short_answer", "Choose Yes, No or N/A.");
        }
        let explanation = self.explanation.trim().replace("\r\n", "\n");
        if explanation.is_empty() {
            problem("explanation", "Explain the answer: buyers read this.");
        } else if explanation.chars().count() > answers::kb::MAX_ANSWER {
            problem("explanation", "Keep the explanation under 20,000 characters.");
        }
        let category = one_line(&self.category);
        if category.is_empty() || category.chars().count() > 100 {
            problem("category", "Give a category of up to 100 characters, e.g. Access Control.");
        }
        let tags = tags(&self.tags);
        if tags.len() > 30 || tags.iter().any(|t| t.chars().count() > 50) {
            problem("tags", "Up to 30 tags separated by semicolons, each under 50 characters.");
        }
        let owner_id = match self.owner_id.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problem("owner_id", "Choose an owner from the list.");
                    None
                }
            },
        };
        let status = KbStatus::parse(self.status.trim());
        if status.is_err() {
            problem("status", "Choose draft, approved or retired.");
        }
        let visibility = KbVisibility::parse(self.visibility.trim());
        if visibility.is_err() {
            problem("visibility", "Choose internal, under NDA or public.");
        }
        let last_reviewed_on = match self.last_reviewed_on.trim() {
            "" => None,
            text => match IsoDate::parse(text) {
                Ok(d) if d <= IsoDate::today_utc() => Some(d),
                Ok(_) => {
                    problem("last_reviewed_on", "A review date cannot be in the future.");
                    None
                }
                Err(_) => {
                    problem("last_reviewed_on", "Use a date like 2026-03-31.");
                    None
                }
            },
        };
        let interval = self.review_interval_days.trim().parse::<i64>().ok().filter(|d| (1..=3650).contains(d));
        if interval.is_none() {
            problem("review_interval_days", "Give a number of days between 1 and 3650.");
        }
        if !fields.is_empty() {
            return Err(AppError::Invalid { message: "Please correct the highlighted fields.".into(), fields });
        }
        Ok(ValidEntry {
            external_id,
            question,
            alternatives,
            short_answer: short_answer.unwrap_or_default(),
            explanation,
            category,
            tags,
            owner_id,
            status: status.unwrap_or(KbStatus::Draft),
            visibility: visibility.unwrap_or(KbVisibility::Internal),
            last_reviewed_on,
            review_interval_days: interval.unwrap_or(365),
        })
    }
}

impl From<&KbEntry> for ValidEntry {
    /// A stored entry as the starting point of its next version.
    fn from(e: &KbEntry) -> Self {
        ValidEntry {
            external_id: e.external_id.clone(),
            question: e.question.clone(),
            alternatives: e.alternatives.clone(),
            short_answer: e.short_answer.clone(),
            explanation: e.explanation.clone(),
            category: e.category.clone(),
            tags: e.tags.clone(),
            owner_id: e.owner_id,
            status: e.status,
            visibility: e.visibility,
            last_reviewed_on: e.last_reviewed_on.as_deref().and_then(|d| IsoDate::parse(d).ok()),
            review_interval_days: e.review_interval_days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EntryInput {
        EntryInput {
            external_id: " KB-081 ".into(),
            question: "  Do you   encrypt\ndata at rest? ".into(),
            alternatives: "Encryption at rest?\n\n".into(),
            short_answer: "Yes".into(),
            explanation: " AES-256 everywhere.\r\nKeys in a KMS. ".into(),
            category: " Encryption ".into(),
            tags: "crypto; storage".into(),
            owner_id: "".into(),
            status: "approved".into(),
            visibility: "public".into(),
            last_reviewed_on: "2025-01-31".into(),
            review_interval_days: "180".into(),
        }
    }

    fn fields(err: AppError) -> Vec<String> {
        match err {
            AppError::Invalid { fields, .. } => fields.into_iter().map(|f| f.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_good_entry_is_normalised() {
        let v = input().validate().unwrap();
        assert_eq!(v.external_id, "KB-081");
        assert_eq!(v.question, "Do you encrypt data at rest?", "one line, single spaces");
        assert_eq!(v.alternatives, ["Encryption at rest?"]);
        assert_eq!(v.explanation, "AES-256 everywhere.\nKeys in a KMS.");
        assert_eq!(v.category, "Encryption");
        assert_eq!(v.tags, ["crypto", "storage"]);
        assert_eq!((v.status, v.visibility), (KbStatus::Approved, KbVisibility::Public));
        assert_eq!(v.last_reviewed_on, Some(IsoDate::parse("2025-01-31").unwrap()));
        assert_eq!(v.review_interval_days, 180);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = EntryInput {
            external_id: "KB 081".into(),
            question: " ".into(),
            short_answer: "Maybe".into(),
            explanation: "".into(),
            category: "".into(),
            owner_id: "Sam".into(),
            status: "pending".into(),
            visibility: "everyone".into(),
            last_reviewed_on: "31/01/2025".into(),
            review_interval_days: "0".into(),
            ..input()
        };
        assert_eq!(
            fields(bad.validate().unwrap_err()),
            [
                "external_id",
                "question",
                "short_answer",
                "explanation",
                "category",
                "owner_id",
                "status",
                "visibility",
                "last_reviewed_on",
                "review_interval_days"
            ]
        );
    }

    #[test]
    fn a_review_date_in_the_future_is_refused() {
        let tomorrow = IsoDate::today_utc().add_days(1).to_string();
        let future = EntryInput { last_reviewed_on: tomorrow, ..input() };
        assert_eq!(fields(future.validate().unwrap_err()), ["last_reviewed_on"]);
    }

    #[test]
    fn too_many_phrasings_or_tags_are_refused() {
        let many = EntryInput {
            alternatives: (0..21).map(|i| format!("Phrasing {i}\n")).collect(),
            tags: (0..31).map(|i| format!("t{i};")).collect(),
            ..input()
        };
        assert_eq!(fields(many.validate().unwrap_err()), ["alternatives", "tags"]);
    }

    #[test]
    fn a_stored_entry_round_trips_into_the_same_valid_entry() {
        let v = input().validate().unwrap();
        let entry = KbEntry {
            id: 1,
            external_id: v.external_id.clone(),
            question: v.question.clone(),
            alternatives: v.alternatives.clone(),
            short_answer: v.short_answer.clone(),
            explanation: v.explanation.clone(),
            category: v.category.clone(),
            tags: v.tags.clone(),
            owner_id: v.owner_id,
            owner_name: None,
            status: v.status,
            visibility: v.visibility,
            last_reviewed_on: v.last_reviewed_on.map(|d| d.to_string()),
            review_interval_days: v.review_interval_days,
            review_due_on: None,
            stale: false,
            version: 4,
            updated_at: 0,
        };
        assert_eq!(ValidEntry::from(&entry), v);
    }
}
