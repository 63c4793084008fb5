//! `kycdesk user create`.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use crate::app::App;
use crate::config::Config;
use crate::domain::password::Password;
use crate::domain::staff::Roles;
use crate::domain::validate::contact::Email;
use crate::service::{self, Ctx};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// One or more of reviewer, admin, auditor, comma-separated.
        #[arg(long)]
        role: String,
        /// Read the password from stdin (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

pub async fn run(config: Config, command: &UserCommand) -> anyhow::Result<ExitCode> {
    // `--password-stdin` is required by clap, so reaching here means stdin holds the password.
    let UserCommand::Create { email, role, .. } = command;
    let email = Email::parse(email).context("--email")?;
    let roles: Roles = role.parse().context("--role")?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("cannot read the password from stdin")?;
    let password = Password::parse(input.trim_end_matches(['\r', '\n'])).context("password")?;
    let app = App::open(config).await?;
    let user = service::staff::create_user(
        &app.services,
        &Ctx::system("cli"),
        service::staff::NewStaffUser {
            email,
            roles,
            password,
            must_change_password: false,
        },
    )
    .await?;
    println!(
        "created staff user {} ({}) with roles {}",
        user.email.as_str(),
        user.id,
        user.roles
    );
    Ok(ExitCode::SUCCESS)
}
