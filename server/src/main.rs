//! `turnout`: serve the portal, migrate the database, seed demo data, create HR admins.

use clap::{Parser, Subcommand};
use leptos::prelude::LeptosOptions;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use turnout::{demo, router, Settings};
use turnout_app::server::{auth::hash_password, AppContext};
use turnout_store::{HrRole, Store};

#[derive(Parser)]
#[command(name = "turnout", version, about = "Candidate self-service interview portal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the portal.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Seed the demo (what is missing of it) and print the HR sign-in and candidate links; a
    /// later run prints the same ones, kept in TURNOUT_DEMO_CREDENTIALS.
    Demo {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create an HR admin, or reset the password of an existing account.
    CreateAdmin {
        /// Sign-in e-mail.
        #[arg(long)]
        email: String,
        /// Name shown in the header.
        #[arg(long, default_value = "HR")]
        name: String,
        /// Password; read from TURNOUT_ADMIN_PASSWORD, or generated and printed when absent.
        #[arg(long, env = "TURNOUT_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")))
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("turnout: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env()?;
    let clock = settings.clock();
    if let Some(start) = settings.clock_start {
        tracing::warn!(%start, now = %clock.now(), "TURNOUT_CLOCK_START is set: the clock is not the system's (for tests and demos only)");
    }
    let store = Store::connect(&settings.database_url).await?;
    match cli.command {
        Command::Migrate => {
            store.migrate().await?;
            eprintln!("turnout: database is up to date");
        }
        Command::Serve => {
            store.migrate().await?;
            let leptos = LeptosOptions::builder()
                .output_name("turnout")
                .site_root(settings.site_root.as_str())
                .site_pkg_dir("pkg")
                .site_addr(settings.addr)
                .build();
            let app = AppContext {
                store,
                clock,
                secure_cookies: settings.base_url.starts_with("https://"),
                base_url: settings.base_url.clone(),
            };
            let worker = tokio::spawn(turnout::workers::run_risk_worker(app.store.clone(), app.clock.clone()));
            let dispatcher = turnout::reminders::Dispatcher::new(
                app.store.clone(),
                app.clock.clone(),
                &settings.base_url,
                &settings.reminders,
            )?;
            tracing::info!(channels = ?dispatcher.configured(), "reminder dispatcher started");
            dispatcher.spawn();
            let listener = tokio::net::TcpListener::bind(settings.addr).await?;
            tracing::info!(addr = %settings.addr, base_url = %settings.base_url, "serving Turnout");
            axum::serve(listener, router(app, leptos)).with_graceful_shutdown(shutdown()).await?;
            worker.abort();
        }
        Command::Demo { json } => {
            store.migrate().await?;
            let out = demo::seed(&store, &settings.base_url, clock.now(), &settings.demo_credentials).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print_demo(&out);
            }
        }
        Command::CreateAdmin { email, name, password } => {
            store.migrate().await?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| {
                let (t, _) = turnout_store::secret::new_token();
                t.chars().filter(|c| c.is_ascii_alphanumeric()).take(16).collect()
            });
            if password.chars().count() < 10 {
                return Err("the password must have at least 10 characters".into());
            }
            let hash = hash_password(&password)?;
            store.upsert_hr_user(&email, &name, &hash, HrRole::Admin, None, clock.now()).await?;
            println!("HR admin {email} is ready.");
            if generated {
                println!("password: {password}");
            }
        }
    }
    Ok(())
}

/// How many candidate links `turnout demo` prints (the rest are in the kept file).
const LINKS_SHOWN: usize = 5;

fn print_demo(out: &demo::DemoOutput) {
    println!("HR sign-in: {}", out.hr.login_url);
    println!("  e-mail:   {}", out.hr.email);
    println!("  password: {}", out.hr.password);
    let how = if out.seeded { "seeded now" } else { "seeded earlier" };
    println!("Campaign: {} ({how})", out.campaign_title);
    let unopened = out.candidates.iter().filter(|c| !c.opened).count();
    println!("Candidate links ({unopened} not opened yet):");
    for c in out.candidates.iter().take(LINKS_SHOWN) {
        let note = if c.opened { "  (opened)" } else { "" };
        println!("  {}  {}{note}", c.name, c.link);
    }
    if out.candidates.len() > LINKS_SHOWN {
        println!("  … {} more", out.candidates.len() - LINKS_SHOWN);
    }
    println!("These stay valid: running `turnout demo` again prints the same ones,");
    println!("kept in {} (readable only by you).", out.kept_in.display());
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
