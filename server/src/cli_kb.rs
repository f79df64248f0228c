//! `vouchsafe kb import FILE | kb export FILE | kb learn FILE [--accept]` and
//! `vouchsafe questionnaire suggest FILE [--json] | questionnaire fill FILE --out OUT`.

use crate::cli::{KbCommand, QuestionnaireCommand};
use answers::{
    book,
    fill::{self, Answer},
    kb::{self as files, Format},
    questions, Decision,
};
use app::{
    features::knowledge::{engine::Knowledge, server as kb},
    ssr::{
        audit::{Actor, ActorKind},
        config::Config,
        db::Db,
        request_meta::RequestMeta,
    },
};
use std::{path::Path, process::ExitCode, sync::Arc};

fn format_of(path: &Path) -> anyhow::Result<Format> {
    Format::from_name(&path.to_string_lossy())
        .ok_or_else(|| anyhow::anyhow!("{}: use a .csv or .xlsx file", path.display()))
}

fn cli_actor() -> Actor {
    Actor { kind: ActorKind::System, id: None, label: "cli".into(), role: String::new() }
}

async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(config.database_url.expose()).await?;
    db.migrate().await?;
    Ok(db)
}

/// Runs one `kb` command: 0 on success, 1 when the file's rows were refused (nothing imported),
/// 2 when the command could not run. An import is recorded in the access log, by "cli".
pub async fn kb(config: Config, command: KbCommand) -> ExitCode {
    match run_kb(config, command).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run_kb(config: Config, command: KbCommand) -> anyhow::Result<ExitCode> {
    match command {
        KbCommand::Import { file, owner } => {
            let format = format_of(&file)?;
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let rows = match files::parse(&bytes, format) {
                Ok(rows) => rows,
                Err(problem) => {
                    eprintln!("{}: {problem}", file.display());
                    return Ok(ExitCode::FAILURE);
                }
            };
            let db = open(&config).await?;
            let owner_id = match owner {
                Some(email) => {
                    let found: Option<(i64,)> =
                        sqlx::query_as("select id from staff_users where lower(email) = lower($1) and active = 1")
                            .bind(&email)
                            .fetch_optional(db.pool())
                            .await?;
                    Some(found.ok_or_else(|| anyhow::anyhow!("--owner: no active staff account {email}"))?.0)
                }
                None => None,
            };
            let summary = kb::import(&db, &RequestMeta::system("vouchsafe kb import"), &cli_actor(), &rows, owner_id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            // Running instances rebuild their suggestion index (and the public FAQ's cache).
            for signal in [app::ssr::signals::Signal::Knowledge, app::ssr::signals::Signal::PublicPage] {
                app::ssr::signals::tell_instances(&db, signal).await?;
            }
            crate::cli::sign_tail(&config, &db).await?;
            println!(
                "imported {} entries from {}: {} new, {} updated, {} unchanged",
                rows.len(),
                file.display(),
                summary.created,
                summary.updated,
                summary.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        KbCommand::Learn { file, accept } => learn(&config, &file, accept).await,
        KbCommand::Export { file } => {
            let format = format_of(&file)?;
            let db = open(&config).await?;
            let rows = kb::export_rows(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let bytes = match format {
                Format::Csv => files::write_csv(&rows),
                Format::Xlsx => files::write_xlsx(&rows)?,
            };
            std::fs::write(&file, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("exported {} approved entries to {}", rows.len(), file.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `kb learn FILE [--accept]`: proposals stored as a batch (and printed); with --accept, learned.
async fn learn(config: &Config, file: &Path, accept: bool) -> anyhow::Result<ExitCode> {
    let format = format_of(file)?;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let db = open(config).await?;
    let meta = RequestMeta::system("vouchsafe kb learn");
    let actor = cli_actor();
    let acting = kb::Acting { db: &db, meta: &meta, actor: &actor };
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let batch = match kb::learn::propose(&acting, &name, bytes, format).await {
        Ok(batch) => batch,
        Err(app::error::AppError::Invalid { message, .. }) => {
            eprintln!("{}: {message}", file.display());
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    let proposals = kb::learn::batch(&db, batch).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut counts = [0usize; 3];
    for row in &proposals.rows {
        let (i, what) = match row.kind.as_str() {
            "entry" => (0, format!("phrasing of {}", row.external_id.as_deref().unwrap_or("?"))),
            "new" => (1, "new draft entry".to_string()),
            _ => (2, format!("nothing: {}", row.reason)),
        };
        counts[i] += 1;
        eprintln!("{:>5}  {:<28}  {}", row.row, what, row.question.chars().take(90).collect::<String>());
    }
    let mut code = ExitCode::SUCCESS;
    if accept {
        let (learned, _) = kb::learn::decide(&acting, batch, None, true).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        for signal in [app::ssr::signals::Signal::Knowledge, app::ssr::signals::Signal::PublicPage] {
            app::ssr::signals::tell_instances(&db, signal).await?;
        }
        println!(
            "learned from {}: {} new phrasings, {} new draft entries, {} already known, {} rows unclear",
            file.display(),
            learned.phrasings,
            learned.drafts,
            learned.known,
            counts[2]
        );
    } else {
        println!(
            "read {}: {} phrasings and {} new entries proposed, {} rows unclear; accept them on the knowledge-base \
             page (batch {batch}) or run again with --accept",
            file.display(),
            counts[0],
            counts[1],
            counts[2]
        );
        if counts[0] + counts[1] == 0 {
            code = ExitCode::FAILURE;
        }
    }
    crate::cli::sign_tail(config, &db).await?;
    Ok(code)
}

/// Runs one `questionnaire` command, reading only approved knowledge: 0 on success, 1 when the file
/// cannot be read as a questionnaire, 2 when the command could not run.
pub async fn questionnaire(config: Config, command: QuestionnaireCommand) -> ExitCode {
    match run_questionnaire(config, command).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run_questionnaire(config: Config, command: QuestionnaireCommand) -> anyhow::Result<ExitCode> {
    let (file, json) = match command {
        QuestionnaireCommand::Suggest { file, json } => (file, json),
        QuestionnaireCommand::Fill { file, out } => return fill(config, &file, &out).await,
    };
    let format = format_of(&file)?;
    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let questions = match questions::read(&bytes, format) {
        Ok(q) => q,
        Err(problem) => {
            eprintln!("{}: {problem}", file.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let db = open(&config).await?;
    let knowledge = Arc::new(Knowledge::new(config.model_dir.clone()));
    let texts: Vec<String> = questions.iter().map(|q| q.text.clone()).collect();
    let (built, out) = knowledge.suggest(&db, texts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if built.engine.is_empty() {
        eprintln!(
            "note: the knowledge base has no approved, current entries; import one with `vouchsafe kb import FILE`"
        );
    }
    if !built.engine.is_semantic() {
        eprintln!(
            "note: no suggestion model found (run scripts/install or set VOUCHSAFE_MODEL_DIR); lexical ranking only"
        );
    }
    let mut stdout = std::io::stdout().lock();
    for (q, s) in questions.iter().zip(&out) {
        use std::io::Write;
        if json {
            let line = serde_json::json!({
                "row": q.row,
                "question": q.text,
                "decision": s.decision.as_str(),
                "suggestions": s.suggestions.iter().map(|x| serde_json::json!({ "kb_id": x.kb_id, "score": (f64::from(x.score) * 1000.0).round() / 1000.0 })).collect::<Vec<_>>(),
            });
            if let Err(e) = writeln!(stdout, "{line}") {
                // A closed pipe (`| head`) is the reader's choice, not a failure.
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(ExitCode::SUCCESS);
                }
                return Err(e.into());
            }
        } else {
            let best =
                s.suggestions.first().map(|x| format!("{} ({:.2})", x.kb_id, x.score)).unwrap_or_else(|| "-".into());
            if let Err(e) = writeln!(stdout, "{:>4}  {:<6}  {:<16}  {}", q.row, s.decision.as_str(), best, q.text) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(ExitCode::SUCCESS);
                }
                return Err(e.into());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `questionnaire fill IN --out OUT`: auto answers only; everything else is left for a person.
async fn fill(config: Config, file: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let format = format_of(file)?;
    if format_of(out)? != format {
        anyhow::bail!("{}: write the same kind of file as {}", out.display(), file.display());
    }
    if out.exists() && std::fs::canonicalize(out).ok() == std::fs::canonicalize(file).ok() {
        anyhow::bail!("--out must not be the buyer's file itself");
    }
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let read = book::read(&bytes, format).and_then(|b| {
        let m = b.detect()?;
        Ok((b, m))
    });
    let (book, mappings) = match read {
        Ok(found) => found,
        Err(problem) => {
            eprintln!("{}: {problem}", file.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let items: Vec<(usize, book::Item)> = book
        .sheets
        .iter()
        .zip(&mappings)
        .enumerate()
        .flat_map(|(i, (sheet, mapping))| sheet.items(mapping).into_iter().map(move |item| (i, item)))
        .collect();
    let db = open(&config).await?;
    let knowledge = Arc::new(Knowledge::new(config.model_dir.clone()));
    let texts: Vec<String> =
        items.iter().map(|(_, i)| i.question.chars().take(files::MAX_QUESTION).collect()).collect();
    let (built, suggestions) = knowledge.suggest(&db, texts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if !built.engine.is_semantic() {
        eprintln!(
            "note: no suggestion model found (run scripts/install or set VOUCHSAFE_MODEL_DIR); lexical ranking only"
        );
    }
    let entries = kb::all(&db, &app::types::IsoDate::today_utc()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut answers = Vec::new();
    let mut at = Vec::new();
    let (mut review, mut empty) = (0usize, 0usize);
    for ((sheet, item), s) in items.iter().zip(&suggestions) {
        match s.decision {
            Decision::Auto => {
                let best = s
                    .suggestions
                    .first()
                    .and_then(|b| entries.iter().find(|e| e.external_id == b.kb_id))
                    .filter(|e| e.fills_for_buyers());
                match best {
                    Some(e) => {
                        answers.push(Answer {
                            sheet: *sheet,
                            row: item.row,
                            short: answers::fit::auto_short(&item.question, &e.short_answer),
                            text: e.explanation.clone(),
                        });
                        at.push((*sheet, item.row));
                    }
                    None => review += 1,
                }
            }
            Decision::Review => review += 1,
            Decision::None => empty += 1,
        }
    }
    let (filled_bytes, placements) = fill::fill(&bytes, &book, &mappings, &answers)?;
    let mut filled = 0usize;
    for ((sheet, row), placement) in at.iter().zip(&placements) {
        if placement.written() {
            filled += 1;
        } else {
            review += 1;
            eprintln!("{} row {}: {}; left for review", book.sheets[*sheet].name, row + 1, placement.describe());
        }
    }
    std::fs::write(out, filled_bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!(
        "{} questions: filled {filled}, left {review} for review, left {empty} empty (no approved answer); wrote {}",
        items.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
