//! `vouchsafe user create`: the first admin, and automation.

use anyhow::{bail, Context};
use app::{
    features::accounts::{model::StaffRole, server::staff},
    ssr::{
        audit::{self, Actor, Event, Outcome},
        config::Config,
        db::Db,
        passwords::{self, Password},
        request_meta::RequestMeta,
    },
    types::{short_text, EmailAddress},
};
use std::io::{BufRead, IsTerminal};

/// Reads the password: a hidden prompt on a terminal, otherwise the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password: ").context("reading the password");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Creates a staff account with a password read from standard input, after checking the e-mail,
/// name, roles and password. The account and its access-log row commit together; then the log's
/// tail is signed.
pub async fn create(config: Config, email: &str, name: &str, roles: &[String]) -> anyhow::Result<()> {
    let email = EmailAddress::parse(email).map_err(|m| anyhow::anyhow!("--email: {m}"))?;
    let name = short_text(name, "name", 100).map_err(|m| anyhow::anyhow!("--name: {m}"))?;
    let roles = roles
        .iter()
        .map(|r| StaffRole::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| anyhow::anyhow!("--role: {m}"))?;
    let password = read_password()?;
    let password = Password::parse_new(&password, email.as_str()).map_err(|m| anyhow::anyhow!("password: {m}"))?;
    let hash = passwords::hash(password).await.map_err(|_| anyhow::anyhow!("could not hash the password"))?;
    let db = Db::connect(config.database_url.expose()).await?;
    db.migrate().await?;
    let mut tx = db.begin().await?;
    let id = match staff::create(&mut tx, &email, &name, &roles, Some(hash)).await {
        Ok(id) => id,
        Err(err) => bail!("{err}"),
    };
    let actor = Actor::system();
    let event = Event {
        actor: &actor,
        event: "staff.created",
        object: format!("staff:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "email": email.as_str(), "roles": roles.iter().map(|r| r.code()).collect::<Vec<_>>(), "via": "cli" }),
    };
    audit::record(&mut tx, &RequestMeta::system("vouchsafe user create"), event)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    crate::cli::sign_tail(&config, &db).await?;
    println!("created staff account {} ({}); two-factor setup happens at first sign-in", email, name);
    Ok(())
}
