//! Any bytes as a buyer's question file, and every question through the lexical engine.
#![no_main]
use answers::{kb::Format, questions, Analyzer, Engine, EngineEntry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Panics the importers contain (catch_unwind) must not abort the run; one that escapes
    // still does (it unwinds into libFuzzer).
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    if let Ok(qs) = questions::read(data, Format::Csv) {
        let entries = vec![EngineEntry {
            kb_id: "KB-1".into(),
            question: "Is MFA required?".into(),
            alternatives: vec![],
            answer: "Yes.".into(),
            tags: vec!["mfa".into()],
            category: "Access".into(),
        }];
        let engine = Engine::lexical(&entries, Analyzer::standard());
        let texts: Vec<String> = qs.into_iter().map(|q| q.text).collect();
        let _ = engine.suggest(&texts);
    }
});
