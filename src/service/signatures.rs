//! One-time codes that confirm signature requirements (seed 001): sending one, and checking the
//! codes a questionnaire change carries.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::json;

use super::{Ctx, FieldError, ServiceError, Services};
use crate::domain::application::Application;
use crate::domain::audit::AuditSubject;
use crate::domain::ids::ApplicationId;
use crate::domain::level::LevelVersion;
use crate::domain::requirement::{RequirementKind, SignatureChannel};
use crate::domain::signature::{
    CODE_TTL, SANDBOX_CODE, check_code, code_hash, generate_code, mask_destination,
};
use crate::domain::time::Timestamp;
use crate::store::{self, Tx};

/// Delivers a code to an applicant: an SMS or e-mail gateway. Pluggable so that each installation
/// uses its own.
#[async_trait]
pub trait CodeSender: Send + Sync + std::fmt::Debug {
    async fn send(
        &self,
        channel: SignatureChannel,
        destination: &str,
        code: &str,
    ) -> Result<(), String>;
}

/// The default: no gateway. Sandbox tenants need none (their code is 111111); live tenants get a
/// clear refusal until one is configured.
#[derive(Debug, Default)]
pub struct SandboxOnlyCodes;

#[async_trait]
impl CodeSender for SandboxOnlyCodes {
    async fn send(&self, _: SignatureChannel, _: &str, _: &str) -> Result<(), String> {
        Err("no SMS or e-mail gateway is configured for live tenants".into())
    }
}

pub fn channel_name(channel: SignatureChannel) -> &'static str {
    match channel {
        SignatureChannel::Sms => "sms",
        SignatureChannel::Email => "email",
    }
}

/// Sends a code for the application's signature requirements over `channel`, to `destination`
/// or else to the applicant's phone or e-mail on file.
pub async fn send_code(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    channel: SignatureChannel,
    destination: Option<String>,
) -> Result<(), ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    let application =
        super::intake::load_editable(&mut conn, ctx, id, "answers can be signed").await?;
    let applicant = store::applicants::get(&mut conn, application.applicant_id).await?;
    drop(conn);
    let on_file = match channel {
        SignatureChannel::Sms => applicant.phone.map(|p| p.as_str().to_owned()),
        SignatureChannel::Email => applicant.email.map(|e| e.as_str().to_owned()),
    };
    let destination = destination
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .or(on_file)
        .ok_or_else(|| {
            ServiceError::InvalidFields(vec![FieldError {
                field: "destination".into(),
                code: "destination_required",
                message: format!(
                    "the applicant has no {} on file; give a destination",
                    match channel {
                        SignatureChannel::Sms => "phone number",
                        SignatureChannel::Email => "e-mail address",
                    }
                ),
            }])
        })?;
    let code = if tenant.sandbox {
        SANDBOX_CODE.to_owned()
    } else {
        let code = generate_code();
        services
            .codes
            .send(channel, &destination, &code)
            .await
            .map_err(ServiceError::Unavailable)?;
        code
    };
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    store::signature_codes::put(
        &mut tx,
        id,
        channel,
        &code_hash(id, &code),
        &destination,
        now.plus(CODE_TTL),
        now,
    )
    .await?;
    let event = ctx
        .event(
            "signature.code_sent",
            AuditSubject::new("application", id),
            json!({"channel": channel_name(channel), "destination": mask_destination(&destination)}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}

/// The channels whose codes the changed keys need.
pub fn channels_needed(level: &LevelVersion, keys: &[String]) -> Vec<SignatureChannel> {
    let mut channels = Vec::new();
    for key in keys {
        if let Some(RequirementKind::Signature { channel }) =
            level.requirement(key).map(|r| &r.kind)
            && !channels.contains(channel)
        {
            channels.push(*channel);
        }
    }
    channels
}

/// Checks the codes a change carries, one per channel (one code signs every attribute of its
/// channel in the request). Good codes are used up. On a wrong code the failure count is
/// committed and the refusal returned, so guessing is limited across requests.
pub async fn confirm(
    mut tx: Tx,
    ctx: &Ctx,
    application: &Application,
    channels: &[SignatureChannel],
    given: &HashMap<SignatureChannel, String>,
) -> Result<Tx, ServiceError> {
    let now = Timestamp::now();
    let mut errors = Vec::new();
    let mut failed = Vec::new();
    for &channel in channels {
        let field = format!("{}_sign_code", channel_name(channel));
        let Some(code) = given.get(&channel) else {
            errors.push(FieldError {
                field,
                code: "signature_code_required",
                message: "a signed attribute needs the code sent to the applicant".into(),
            });
            continue;
        };
        let Some(stored) = store::signature_codes::get(&mut tx, application.id, channel).await?
        else {
            errors.push(FieldError {
                field,
                code: "signature_code_not_sent",
                message: "no code has been sent for this channel; request one first".into(),
            });
            continue;
        };
        match check_code(
            application.id,
            &stored.code_hash,
            stored.failed_attempts,
            stored.expires_at,
            code,
            now,
        ) {
            Ok(()) => store::signature_codes::remove(&mut tx, application.id, channel).await?,
            Err(refused) => {
                if refused.code == "signature_code_invalid" {
                    failed.push(channel);
                }
                errors.push(FieldError {
                    field,
                    code: refused.code,
                    message: refused.message,
                });
            }
        }
    }
    if errors.is_empty() {
        return Ok(tx);
    }
    if !failed.is_empty() {
        // Only the failure counts and their audit event are kept; the change itself is not made.
        let mut retry = tx;
        for channel in &failed {
            store::signature_codes::record_failure(&mut retry, application.id, *channel).await?;
        }
        let names: Vec<&str> = failed.iter().map(|c| channel_name(*c)).collect();
        let event = ctx
            .event(
                "signature.code_refused",
                AuditSubject::new("application", application.id),
                json!({"channels": names}),
            )
            .for_tenant(application.tenant_id);
        store::audit::append(&mut retry, &event);
        retry.commit().await?;
    }
    Err(ServiceError::InvalidFields(errors))
}
