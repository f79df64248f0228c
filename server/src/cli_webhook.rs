//! `vouchsafe webhook add URL --events a,b [--format chat] | list | remove ID`.

use crate::{build_state, cli::WebhookCommand};
use app::{
    features::integrations::server::webhooks::{self, NewWebhook},
    ssr::{
        audit::{Actor, ActorKind},
        config::Config,
        request_meta::RequestMeta,
    },
};

fn cli_actor() -> Actor {
    Actor { kind: ActorKind::System, id: None, label: "cli".into(), role: String::new() }
}

/// Runs one `webhook` command; `add` prints the signing secret once, on standard output.
pub async fn run(config: Config, command: WebhookCommand) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let meta = RequestMeta::system("cli");
    match command {
        WebhookCommand::Add { url, events, format } => {
            let events = events.split(',').map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
            let new = NewWebhook { url: &url, format: &format, events };
            let (id, secret) = webhooks::create(&state, &meta, None, new).await.map_err(|e| match e {
                app::error::AppError::Invalid { message, fields } => {
                    let detail: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
                    anyhow::anyhow!("{message} {}", detail.join("; "))
                }
                other => anyhow::anyhow!("{other}"),
            })?;
            eprintln!("Webhook {id} added. Its signing secret follows; it is not shown again.");
            println!("{secret}");
        }
        WebhookCommand::List => {
            for w in webhooks::list(&state.db).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\tdelivered {} waiting {} failed {}",
                    w.id,
                    if w.enabled { "enabled" } else { "disabled" },
                    w.format,
                    w.url,
                    w.events.join(","),
                    w.delivered,
                    w.pending,
                    w.failed
                );
            }
        }
        WebhookCommand::Remove { id } => {
            webhooks::change(&state, &meta, &cli_actor(), id, None)
                .await
                .map_err(|e| anyhow::anyhow!("webhook {id}: {e}"))?;
            eprintln!("Webhook {id} removed.");
        }
    }
    Ok(())
}
