//! Files at rest are readable by the service's own user only: directories 0700, files 0600.
//!
//! The data directory holds the database (TOTP secrets, e-mail addresses), the unstamped
//! originals of restricted documents, outbox mails with live sign-in links and key files. Nothing
//! here relies on the process umask (tests run in-process with the default 022): every directory
//! and file is created with its mode, and [`tighten`] repairs what an older version left readable.

use std::{io, path::Path};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Directories: owner only.
pub const DIR_MODE: u32 = 0o700;
/// Files: owner read and write only.
pub const FILE_MODE: u32 = 0o600;

/// `mkdir -p` with mode 0700 for every directory it creates.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(path)
}

/// Creates (or truncates) `path` with mode 0600 and writes `bytes`.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    let mut file = options.open(path)?;
    // An existing file keeps its mode on open: set it.
    #[cfg(unix)]
    file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Creates `path` empty with mode 0600 if it does not exist (SQLite then gives its journal and
/// WAL files the database file's mode).
pub fn touch(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    options.open(path).map(drop)
}

/// Makes `root` and everything under it private: directories 0700, files 0600. Symbolic links
/// are not followed. Returns how many entries had to be changed.
pub fn tighten(root: &Path) -> io::Result<usize> {
    #[cfg(unix)]
    {
        let mut changed = 0;
        let mut stack = vec![root.to_path_buf()];
        while let Some(path) = stack.pop() {
            let meta = std::fs::symlink_metadata(&path)?;
            let wanted = if meta.is_dir() {
                DIR_MODE
            } else if meta.is_file() {
                FILE_MODE
            } else {
                continue;
            };
            if meta.permissions().mode() & 0o777 != wanted {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(wanted))?;
                changed += 1;
            }
            if meta.is_dir() {
                for entry in std::fs::read_dir(&path)? {
                    stack.push(entry?.path());
                }
            }
        }
        Ok(changed)
    }
    #[cfg(not(unix))]
    {
        let _ = root;
        Ok(0)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_files_and_directories_are_private_and_old_ones_are_repaired() {
        let root = std::env::temp_dir().join(format!("vs-private-{}", rand::random::<u64>()));
        create_dir_all(&root.join("a/b")).unwrap();
        assert_eq!(mode(&root.join("a")), 0o700);
        assert_eq!(mode(&root.join("a/b")), 0o700);
        write(&root.join("a/b/f"), b"secret").unwrap();
        assert_eq!(mode(&root.join("a/b/f")), 0o600);
        std::fs::write(root.join("old.db"), b"x").unwrap();
        std::fs::set_permissions(root.join("old.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(tighten(&root).unwrap(), 2);
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&root.join("old.db")), 0o600);
        assert_eq!(tighten(&root).unwrap(), 0);
        std::fs::remove_dir_all(root).unwrap();
    }
}
