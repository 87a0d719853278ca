//! Every file sled writes, made durable: the half of a flush sled leaves out.
//!
//! sled 0.34's `flush()` ends in `sync_file_range` on its `db` file, which
//! does not empty the drive's write cache (sled #1452, #1351). It also writes
//! values larger than a segment's share into files under `blobs/` that it
//! never syncs at all, and renames snapshot files without syncing the
//! directory. So after sled's flush this fsyncs the data file, every blob
//! file not yet synced, the `blobs/` directory and the data directory — in
//! that order, so a directory entry is never durable before its file.

use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The files of one sled database and which blob files are already durable.
pub struct SledFiles {
    dir: PathBuf,
    data: File,
    /// The data directory itself, kept open: it is fsynced on every flush.
    dir_file: File,
    synced_blobs: BTreeSet<String>,
    /// Blob files fsynced so far (for tests and status).
    pub blobs_synced: u64,
}

impl SledFiles {
    /// Opens the data file and directory of the database in `dir`.
    pub fn open(dir: &Path) -> io::Result<Self> {
        let data = File::open(dir.join("db"))?;
        let dir_file = File::open(dir)?;
        Ok(SledFiles { dir: dir.to_path_buf(), data, dir_file, synced_blobs: BTreeSet::new(), blobs_synced: 0 })
    }

    /// fsyncs everything sled has written so far (call after `Db::flush`).
    pub fn sync(&mut self) -> io::Result<()> {
        self.data.sync_all()?;
        self.sync_blobs()?;
        self.dir_file.sync_all()
    }

    /// fsyncs each blob file not yet synced, forgets blobs sled removed, and
    /// fsyncs the `blobs/` directory when its entries changed.
    fn sync_blobs(&mut self) -> io::Result<()> {
        let blobs = self.dir.join("blobs");
        let entries = match std::fs::read_dir(&blobs) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut present = BTreeSet::new();
        let mut changed = false;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !self.synced_blobs.contains(&name) {
                match File::open(entry.path()) {
                    Ok(f) => f.sync_all()?,
                    // Removed by sled's blob GC between listing and opening.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                self.blobs_synced += 1;
                changed = true;
            }
            present.insert(name);
        }
        // Entries removed by sled's GC change the directory too.
        changed |= present.len() != self.synced_blobs.len();
        self.synced_blobs = present;
        if changed {
            File::open(&blobs)?.sync_all()?;
        }
        Ok(())
    }
}
