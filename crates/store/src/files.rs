//! Files that hold the centre's data (the database and its WAL, backups, printed documents,
//! export files, reports) are the owner's alone: 0600, in folders 0700 (on Unix; Windows keeps
//! the user profile's own ACLs). SQLite gives the WAL and shared-memory files the database
//! file's permissions.

use std::path::Path;

/// The platform's application data folder for this user, where 一窗通 keeps its database, its
/// backups, printed documents and the PC's keys: `%APPDATA%\yichuang` on Windows,
/// `~/Library/Application Support/yichuang` on macOS, `$XDG_DATA_HOME/yichuang` (else
/// `~/.local/share/yichuang`) elsewhere. Never the working directory: `None` when the user has
/// no such folder (no HOME), and the caller says so.
pub fn app_data_dir() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").filter(|d| !d.is_empty()).map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else {
        std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".local/share")))
    };
    base.filter(|b| b.is_absolute()).map(|b| b.join("yichuang"))
}

/// Makes `path` readable and writable by its owner only.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `dir` (and its parents) if needed, and makes it its owner's only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` as a private file (created 0600 before anything is written).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    private_file(path)
}
