//! TLS a county can run without buying a certificate: `yichuang-hq tls-init` makes the
//! county's own root (CA) and HQ's server certificate signed by it. The root's certificate is
//! handed to the centres with the installer (their settings pin it); its key stays with the
//! county, in a file only its owner can read.

use std::path::Path;

use chrono::Datelike;
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};

use crate::HqError;

/// What `issue` makes, as PEM text.
pub struct Issued {
    pub ca_pem: String,
    pub ca_key_pem: String,
    /// HQ's certificate followed by the root's (the chain HQ serves).
    pub chain_pem: String,
    pub key_pem: String,
    /// SHA-256 of the root's DER, in groups of four hex digits: what the centre compares.
    pub ca_fingerprint: String,
}

fn tls_error(e: rcgen::Error) -> HqError {
    HqError::Internal(format!("生成证书失败：{e}"))
}

/// A county root valid `ca_years`, and HQ's certificate for `hosts` (names or IP addresses the
/// terminals use) valid `server_days`, both from `today`.
pub fn issue(county: &str, hosts: &[String], today: chrono::NaiveDate, ca_years: u32, server_days: u32) -> Result<Issued, HqError> {
    if hosts.is_empty() || hosts.iter().any(|h| h.trim().is_empty() || h.contains('/') || h.contains(':') && h.parse::<std::net::IpAddr>().is_err()) {
        return Err(HqError::BadRequest("请用 --host 给出终端访问县级所用的域名或IP地址（可多个）".into()));
    }
    let at = |d: chrono::NaiveDate| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca.distinguished_name.push(DnType::CommonName, format!("{county} 一窗通县级根证书"));
    ca.distinguished_name.push(DnType::OrganizationName, county.to_owned());
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    ca.not_before = at(today - chrono::Days::new(1));
    ca.not_after = at(today + chrono::Days::new(u64::from(ca_years) * 366));
    let ca_cert = ca.self_signed(&ca_key).map_err(tls_error)?;

    let key = KeyPair::generate().map_err(tls_error)?;
    let hosts: Vec<String> = hosts.iter().map(|h| h.trim().to_owned()).collect();
    let mut server = CertificateParams::new(hosts.clone()).map_err(tls_error)?;
    server.distinguished_name.push(DnType::CommonName, hosts[0].clone());
    server.distinguished_name.push(DnType::OrganizationName, county.to_owned());
    server.is_ca = IsCa::ExplicitNoCa;
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.not_before = at(today - chrono::Days::new(1));
    server.not_after = at(today + chrono::Days::new(u64::from(server_days)));
    let cert = server.signed_by(&key, &ca_cert, &ca_key).map_err(tls_error)?;

    // The same fingerprint the centre's Settings show for the root it imported.
    let ca_fingerprint = yichuang_store::pem_certificate(&ca_cert.pem()).map_err(|e| HqError::Internal(e.to_string()))?;
    Ok(Issued { chain_pem: format!("{}{}", cert.pem(), ca_cert.pem()), ca_pem: ca_cert.pem(), ca_key_pem: ca_key.serialize_pem(), key_pem: key.serialize_pem(), ca_fingerprint })
}

/// Writes what `issue` made into `dir`: `county-ca.pem` (for the centres), `county-ca.key`,
/// `hq.pem` and `hq.key` (keys 0600, the folder 0700). Refuses to overwrite a root.
pub fn write(dir: &Path, issued: &Issued) -> Result<(), HqError> {
    let io = |e: std::io::Error| HqError::Internal(format!("写入{}失败：{e}", dir.display()));
    if dir.join("county-ca.key").exists() {
        return Err(HqError::BadRequest(format!(
            "{}已有县级根证书的私钥：重新生成会使各中心已导入的根证书失效。如确需更换，请先把该目录移走",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    for (name, text, private) in [
        ("county-ca.pem", &issued.ca_pem, false),
        ("county-ca.key", &issued.ca_key_pem, true),
        ("hq.pem", &issued.chain_pem, false),
        ("hq.key", &issued.key_pem, true),
    ] {
        let path = dir.join(name);
        let mut f = {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(if private { 0o600 } else { 0o644 });
            }
            o.open(&path).map_err(io)?
        };
        use std::io::Write;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_and_a_server_certificate_for_the_hosts_given() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let i = issue("某县政务服务中心", &["hq.county.gov.cn".into(), "10.1.2.3".into()], today, 10, 825).unwrap();
        assert!(i.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(i.chain_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(i.key_pem.contains("PRIVATE KEY"));
        assert_eq!(i.ca_fingerprint.split(' ').count(), 16);
        assert!(issue("某县", &[], today, 10, 825).is_err());
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("tls"), &i).unwrap();
        let e = write(&dir.path().join("tls"), &i).unwrap_err();
        assert!(e.to_string().contains("已有县级根证书"), "{e}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("tls/county-ca.key")).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
