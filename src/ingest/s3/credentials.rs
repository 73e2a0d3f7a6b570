//! Shared config profiles for S3 inputs, the part of the AWS credential
//! chain `object_store` leaves out.
//!
//! Environment keys win (`object_store` reads them). Without them, the
//! profile named by `--profile`, else `AWS_PROFILE`, else `default`, is
//! looked up in `~/.aws/credentials` and `~/.aws/config` (or the files
//! `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` name). Static keys
//! are used as they are. A profile without them (IAM Identity Center,
//! `role_arn`, `credential_process`) is resolved by the AWS CLI the user
//! already has, `aws configure export-credentials --profile NAME`, so SSO
//! caches and role chains work as they do for the CLI. A missing default
//! profile falls through to the container endpoint and instance metadata.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// What a profile gave: keys (if any) and its region.
pub struct Profile {
    pub credentials: Option<Keys>,
    pub region: Option<String>,
}

/// The profile to use, if the environment does not carry keys.
pub fn resolve(explicit: Option<&str>) -> Result<Option<Profile>> {
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|s| !s.is_empty());
    let named = explicit.map(str::to_string).or(env_profile);
    let env_keys = std::env::var("AWS_ACCESS_KEY_ID").is_ok_and(|s| !s.is_empty());
    if env_keys && explicit.is_none() {
        return Ok(None);
    }
    let name = named.clone().unwrap_or_else(|| "default".to_string());
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let file = |var: &str, rel: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(rel)))
    };
    let creds = file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        .map(|p| read_ini(&p))
        .transpose()?
        .unwrap_or_default();
    let config = file("AWS_CONFIG_FILE", "config")
        .map(|p| read_ini(&p))
        .transpose()?
        .unwrap_or_default();
    let in_creds = creds.get(&name);
    let config_section = if name == "default" {
        config.get("default")
    } else {
        config.get(&format!("profile {name}"))
    };
    if in_creds.is_none() && config_section.is_none() {
        if named.is_some() {
            bail!("AWS profile {name:?} is in neither the shared credentials nor the config file");
        }
        return Ok(None);
    }
    let get = |k: &str| {
        in_creds
            .and_then(|s| s.get(k))
            .or_else(|| config_section.and_then(|s| s.get(k)))
            .cloned()
    };
    let region = get("region");
    let credentials = match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(access_key_id), Some(secret_access_key)) => Some(Keys {
            access_key_id,
            secret_access_key,
            session_token: get("aws_session_token"),
        }),
        _ => Some(from_cli(&name)?),
    };
    Ok(Some(Profile {
        credentials,
        region,
    }))
}

/// `aws configure export-credentials`: the CLI resolves SSO, role chains
/// and `credential_process` the way the user's other tools see them.
fn from_cli(profile: &str) -> Result<Keys> {
    let out = std::process::Command::new("aws")
        .args([
            "configure",
            "export-credentials",
            "--profile",
            profile,
            "--format",
            "process",
        ])
        .output()
        .with_context(|| {
            format!(
                "AWS profile {profile:?} has no static keys, and running the AWS CLI to resolve it (SSO, role) failed"
            )
        })?;
    if !out.status.success() {
        bail!(
            "AWS profile {profile:?}: `aws configure export-credentials` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .context("reading `aws configure export-credentials` output")?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    match (s("AccessKeyId"), s("SecretAccessKey")) {
        (Some(access_key_id), Some(secret_access_key)) => Ok(Keys {
            access_key_id,
            secret_access_key,
            session_token: s("SessionToken"),
        }),
        _ => bail!("AWS profile {profile:?}: the AWS CLI returned no keys"),
    }
}

type Ini = BTreeMap<String, BTreeMap<String, String>>;

/// An AWS shared config file: `[section]` and `key = value` lines. A
/// missing file is empty.
fn read_ini(path: &std::path::Path) -> Result<Ini> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ini::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    Ok(parse_ini(&text))
}

fn parse_ini(text: &str) -> Ini {
    let mut out = Ini::new();
    let mut section: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            section = Some(name);
            continue;
        }
        if let (Some(s), Some((k, v))) = (&section, line.split_once('=')) {
            out.entry(s.clone())
                .or_default()
                .insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_and_keys() {
        let ini = parse_ini(
            "# c\n[default]\naws_access_key_id = AK\n[profile  audit ]\nregion=eu-west-1\nsso_session = x\n",
        );
        assert_eq!(ini["default"]["aws_access_key_id"], "AK");
        assert_eq!(ini["profile audit"]["region"], "eu-west-1");
    }
}
