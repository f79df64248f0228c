//! The engine with the model loaded (all-MiniLM-L6-v2, installed by `scripts/install`): what the
//! model's signals add to the lexical ranking.

use answers::{
    embed::Embedder,
    engine::{Engine, EngineEntry},
    Analyzer,
};
use std::{path::Path, sync::Arc};

fn embedder() -> Arc<Embedder> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/all-MiniLM-L6-v2");
    assert!(dir.join("model.safetensors").is_file(), "the suggestion model is installed (scripts/install)");
    Arc::new(Embedder::load(&dir).expect("the model loads"))
}

fn entry(id: &str, question: &str, answer: &str, tags: &[&str]) -> EngineEntry {
    EngineEntry {
        kb_id: id.into(),
        question: question.into(),
        alternatives: vec![],
        learned: vec![],
        answer: answer.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        category: "Security".into(),
    }
}

fn kb() -> Vec<EngineEntry> {
    vec![
        entry(
            "NET",
            "How is the production network segmented?",
            "Each environment runs in its own cloud account and virtual network, with security groups that \
             deny traffic by default and allow only the flows each service needs. Firewall rules are reviewed \
             every six months by the infrastructure team. Database servers sit in private subnets with no \
             route from the public internet.",
            &["network segmentation", "firewall"],
        ),
        entry(
            "BYOD",
            "May staff use personal devices to access company systems?",
            "No. Company systems can be reached only from company-issued, managed laptops, enforced by device \
             trust checks at sign-in.",
            &["byod", "personal devices"],
        ),
        entry(
            "REST",
            "Is customer data encrypted at rest?",
            "Yes. Databases, object storage and backups are encrypted with AES-256 using keys held in a key \
             management service.",
            &["encryption at rest"],
        ),
        entry(
            "TRANSIT",
            "How is data protected in transit between customers and the platform?",
            "Every connection to the web application and the API requires TLS 1.2 or higher; older protocol \
             versions are disabled and HSTS is on.",
            &["tls", "encryption in transit"],
        ),
        entry(
            "DBACCESS",
            "Who can access production database servers?",
            "Only on-call engineers, through a bastion host, with just-in-time approval that expires after \
             four hours.",
            &["privileged access"],
        ),
        entry(
            "EXPORT",
            "Can customers export their data from the platform?",
            "Yes. Administrators can export datasets at any time through the interface or the API in CSV or JSON.",
            &["data export", "portability"],
        ),
    ]
}

fn best(engine: &Engine, question: &str) -> String {
    let out = engine.suggest(&[question.to_string()]).expect("suggestions");
    out[0].suggestions.first().map(|s| s.kb_id.clone()).unwrap_or_default()
}

#[test]
fn one_sentence_of_a_long_answer_can_carry_the_match() {
    let engine = Engine::fused(&kb(), Analyzer::standard(), embedder()).expect("an engine");
    // The best question match is the database-access entry; one sentence of the network answer
    // says what is asked.
    assert_eq!(best(&engine, "Are database servers reachable from the internet?"), "NET");
}

#[test]
fn a_learned_phrasing_teaches_what_it_asks_not_what_it_set_aside() {
    let embedder = embedder();
    let plain = Engine::fused(&kb(), Analyzer::standard(), embedder.clone()).expect("an engine");
    let mut entries = kb();
    let at = entries.iter().position(|e| e.kb_id == "TRANSIT").expect("the entry");
    entries[at]
        .learned
        .push("We know you encrypt data at rest with AES-256; what about traffic over public networks?".into());
    let learned = Engine::fused(&entries, Analyzer::standard(), embedder).expect("an engine");
    let question_similarity = |engine: &Engine, q: &str| engine.signals(&[q.to_string()]).expect("signals")[0][at][1];
    // The conceded clause taught the entry nothing...
    let rest = "Do you encrypt data at rest with AES-256?";
    assert!((question_similarity(&learned, rest) - question_similarity(&plain, rest)).abs() < 1e-6);
    assert_eq!(best(&learned, rest), "REST");
    // ...what it asked about, it did.
    let traffic = "How is traffic over public networks protected?";
    assert!(question_similarity(&learned, traffic) > question_similarity(&plain, traffic) + 0.05);
}

#[test]
fn a_typing_error_is_read_as_the_word_it_was_meant_as() {
    let mut entries = kb();
    entries.push(entry(
        "IRP",
        "Do you maintain an incident response plan?",
        "Yes. The plan is tested every year in a tabletop exercise.",
        &["incident response plan"],
    ));
    entries.push(entry(
        "RCA",
        "Is there a plan for root cause analysis of incidents?",
        "Yes. Every major incident gets a written review within ten days.",
        &["post-mortem"],
    ));
    let engine = Engine::fused(&entries, Analyzer::standard(), embedder()).expect("an engine");
    assert_eq!(best(&engine, "Do you have an incident respone plan?"), "IRP");
    assert_eq!(best(&engine, "Do you have an incident response plan?"), "IRP");
}
