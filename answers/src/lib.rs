//! The questionnaire knowledge base's portable parts: the suggestion engine (BM25 with an
//! editable synonym table, optionally fused with all-MiniLM-L6-v2 run locally by candle), and
//! reading questions from buyers' files. No network access, ever.

pub mod bm25;
pub mod book;
pub mod dependent;
#[cfg(feature = "embeddings")]
pub mod embed;
pub mod engine;
pub mod fill;
pub mod fit;
pub mod kb;
pub mod learn;
pub mod limits;
pub mod ooxml;
pub mod questions;
pub mod sample;
pub mod spelling;
pub mod synonyms;
pub mod text;

pub use engine::{Decision, Engine, EngineEntry, Scored, Suggestion, Tuning};
pub use text::Analyzer;
