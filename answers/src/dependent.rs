//! Dependent questions: rows such as "If yes, describe …" that only make sense after the question
//! above them. [`condition`] recognises a follow-up and what it depends on, [`parents`] links each
//! follow-up to the nearest question above it on the same sheet that is not a follow-up itself,
//! and [`check`] says when the two answers disagree: a follow-up answered although its parent's
//! answer rules it out, or left blank although its parent's answer asks for it.

use crate::{kb::ShortAnswer, text::normalise, text::strip_prefix};

/// What a follow-up question depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Asked only when the parent is answered Yes ("If yes, …", "If so, …").
    IfYes,
    /// Asked only when the parent is answered No ("If no, …", "If not, …").
    IfNo,
}

const IF_YES: &[&str] = &[
    "if yes",
    "if so",
    "if you answered yes",
    "if the answer is yes",
    "if answered yes",
    "if the answer to the above is yes",
    "if the answer to the previous question is yes",
    "if applicable, please describe",
    "where yes",
    "when yes",
];
const IF_NO: &[&str] =
    &["if no", "if not", "if you answered no", "if the answer is no", "if answered no", "where no", "when no"];

/// Whether `question` is a follow-up, and of which answer.
pub fn condition(question: &str) -> Option<Condition> {
    let text = normalise(strip_prefix(question.trim()));
    let text = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    let starts = |phrases: &[&str]| {
        phrases.iter().any(|p| {
            text.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| !c.is_alphanumeric()))
        })
    };
    // "If not" before "if no": both are No; "if yes" phrases never start with "if no".
    if starts(IF_NO) {
        Some(Condition::IfNo)
    } else if starts(IF_YES) {
        Some(Condition::IfYes)
    } else {
        None
    }
}

/// For each question, in sheet order (`(sheet, text)`), the index of the question it follows up,
/// if it is a follow-up: the nearest earlier question on the same sheet that is not one itself.
pub fn parents(questions: &[(usize, &str)]) -> Vec<Option<usize>> {
    let mut last_plain: Option<(usize, usize)> = None;
    questions
        .iter()
        .enumerate()
        .map(|(i, (sheet, text))| {
            if condition(text).is_some() {
                last_plain.filter(|(s, _)| s == sheet).map(|(_, p)| p)
            } else {
                last_plain = Some((*sheet, i));
                None
            }
        })
        .collect()
}

/// What is wrong with a follow-up's answer given its parent's, if anything. `parent_short` is
/// the parent's short answer as it will be written (Yes/No read loosely; anything else decides
/// nothing), `answered` whether the follow-up will have an answer.
pub fn check(condition: Condition, parent_short: Option<&str>, answered: bool) -> Option<&'static str> {
    let parent = parent_short.and_then(ShortAnswer::parse)?;
    let (asks, rules_out) = match condition {
        Condition::IfYes => (ShortAnswer::Yes, ShortAnswer::No),
        Condition::IfNo => (ShortAnswer::No, ShortAnswer::Yes),
    };
    if parent == rules_out && answered {
        Some(if rules_out == ShortAnswer::No {
            "answered, but the question it follows is answered No"
        } else {
            "answered, but the question it follows is answered Yes"
        })
    } else if parent == asks && !answered {
        Some(if asks == ShortAnswer::Yes {
            "blank, but the question it follows is answered Yes, so it asks for more"
        } else {
            "blank, but the question it follows is answered No, so it asks for more"
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_are_recognised_with_prefixes_punctuation_and_case() {
        assert_eq!(condition("If yes, please describe the process."), Some(Condition::IfYes));
        assert_eq!(condition("3.2.1 If so: who approves exceptions?"), Some(Condition::IfYes));
        assert_eq!(condition("(b) IF YES – list the tools"), Some(Condition::IfYes));
        assert_eq!(condition("If not, when do you plan to?"), Some(Condition::IfNo));
        assert_eq!(condition("If no please explain"), Some(Condition::IfNo));
        assert_eq!(condition("If you answered yes to 4.1, describe it"), Some(Condition::IfYes));
        assert_eq!(condition("Do you encrypt data at rest?"), None);
        assert_eq!(condition("If a breach occurs, how are customers notified?"), None, "a real question");
        assert_eq!(condition("If someone leaves, is access removed?"), None);
        assert_eq!(condition("Is notification given if yesterday's backup failed?"), None);
    }

    #[test]
    fn a_follow_up_belongs_to_the_nearest_plain_question_above_on_its_sheet() {
        let qs = [
            (0, "Do you run penetration tests?"),
            (0, "If yes, how often?"),
            (0, "If yes, who performs them?"),
            (0, "Do you have a bug bounty?"),
            (1, "If yes, describe it"),
            (1, "Do you use SSO?"),
            (1, "If not, why?"),
        ];
        assert_eq!(parents(&qs), vec![None, Some(0), Some(0), None, None, None, Some(5)]);
    }

    #[test]
    fn disagreements_are_flagged_both_ways() {
        assert!(check(Condition::IfYes, Some("No"), true).is_some_and(|m| m.contains("answered No")));
        assert!(check(Condition::IfYes, Some("yes"), false).is_some_and(|m| m.contains("blank")));
        assert_eq!(check(Condition::IfYes, Some("Yes"), true), None);
        assert_eq!(check(Condition::IfYes, Some("No"), false), None);
        assert!(check(Condition::IfNo, Some("Yes"), true).is_some());
        assert!(check(Condition::IfNo, Some("No"), false).is_some());
        assert_eq!(check(Condition::IfYes, None, true), None, "an unanswered parent decides nothing");
        assert_eq!(check(Condition::IfYes, Some("Partially"), false), None);
    }
}
