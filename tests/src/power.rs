//! A disk whose power can be cut: an ext4 filesystem on a loop device,
//! mounted in a temporary directory, so a test can prove that what a node
//! acknowledged survives a power loss, not only a `kill -9`.
//!
//! Why this models a power loss: [`PowerCutDisk::cut_power`] calls ext4's
//! shutdown ioctl (`EXT4_IOC_SHUTDOWN` with `EXT4_GOING_FLAGS_NOLOGFLUSH`),
//! what xfstests uses to simulate a power cut. The filesystem stops all I/O
//! at once: dirty page-cache data and the journal not yet committed are
//! thrown away, every later call fails. [`PowerCutDisk::restore_power`]
//! unmounts and mounts the same image again, replaying the journal: the
//! disk as it is after the power came back. Only what a process fsynced
//! (or what writeback happened to send down before the cut) is there.
//!
//! Its limit: the loop device stands for a drive with no volatile write
//! cache. Everything that reached it is kept (it lands in the host's cache
//! of the image file, which no one cuts), so a drive that loses its own
//! cache despite a flush, or tears a sector, is not modelled.
//!
//! Needs root, `losetup` and `mkfs.ext4`; [`skipped`] says whether a test
//! must stand down, and fails instead when `CI` is set, so CI always runs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// Size of the sparse image: room for a few thousand filings on either engine.
const IMAGE_BYTES: u64 = 512 * 1024 * 1024;

/// `EXT4_IOC_SHUTDOWN` = `_IOR('X', 125, __u32)` (linux/fs/ext4/ext4.h).
const EXT4_IOC_SHUTDOWN: libc::Ioctl = libc::_IOR::<u32>(b'X' as u32, 125);
/// Stop at once, without flushing the journal: the power cut.
const EXT4_GOING_FLAGS_NOLOGFLUSH: u32 = 2;

/// Why the power-cut model cannot run here, or `None` when it can.
pub fn unavailable() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not running as root (loop devices and mount need it)".into());
    }
    for tool in ["losetup", "mkfs.ext4", "mount", "umount"] {
        if find_tool(tool).is_none() {
            return Some(format!("`{tool}` not found in PATH, /usr/sbin or /sbin"));
        }
    }
    if !Path::new("/dev/loop-control").exists() {
        return Some("no /dev/loop-control: this kernel has no loop devices".into());
    }
    None
}

/// Whether the power-loss test `test` must stand down because the model
/// cannot run here: prints why (past the test's output capture) and returns
/// `Ok(true)`; with `CI` set (and not `false`/`0`) it fails with that reason
/// instead, so CI cannot skip it silently.
pub fn skipped(test: &str) -> anyhow::Result<bool> {
    let Some(why) = unavailable() else { return Ok(false) };
    let line = format!("{test}: power-loss model cannot run: {why}");
    anyhow::ensure!(!crate::ci(), "{line} (CI is set: this test must run there)");
    // Written to stderr directly: the harness captures only print! macros.
    let _ = writeln!(std::io::stderr(), "SKIPPED {line}");
    Ok(true)
}

/// An ext4 image on a loop device, mounted; unmounted and detached on drop,
/// also when the test panics.
pub struct PowerCutDisk {
    image: PathBuf,
    mount: PathBuf,
    device: Option<String>,
    mounted: bool,
    _dir: TempDir,
}

impl PowerCutDisk {
    /// Makes a sparse image, formats it ext4, attaches it to a free loop
    /// device and mounts it.
    pub fn new() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("extranet-power-").tempdir()?;
        let (image, mount) = (dir.path().join("disk.img"), dir.path().join("mnt"));
        std::fs::File::create(&image)?.set_len(IMAGE_BYTES)?;
        std::fs::create_dir(&mount)?;
        run("mkfs.ext4", &["-q".as_ref(), "-F".as_ref(), image.as_os_str()])?;
        let mut disk = PowerCutDisk { image, mount, device: None, mounted: false, _dir: dir };
        let out = run("losetup", &["--find".as_ref(), "--show".as_ref(), disk.image.as_os_str()])?;
        disk.device = Some(out.trim().to_string());
        disk.mount()?;
        Ok(disk)
    }

    /// The mount point: put the data directory under it.
    pub fn path(&self) -> &Path {
        &self.mount
    }

    /// Cuts the power: the filesystem stops all I/O at once and forgets
    /// what was not yet on the device.
    pub fn cut_power(&self) -> anyhow::Result<()> {
        use std::os::fd::AsRawFd;
        let dir = std::fs::File::open(&self.mount)?;
        let flags: u32 = EXT4_GOING_FLAGS_NOLOGFLUSH;
        // SAFETY: the fd is open for the call's duration and the kernel
        // reads one u32 through the pointer, which points at `flags`.
        let rc = unsafe { libc::ioctl(dir.as_raw_fd(), EXT4_IOC_SHUTDOWN, &flags as *const u32) };
        anyhow::ensure!(rc == 0, "EXT4_IOC_SHUTDOWN on {}: {}", self.mount.display(), std::io::Error::last_os_error());
        Ok(())
    }

    /// Brings the power back: unmounts the dead filesystem and mounts the
    /// image again (the journal is replayed). Every process that had files
    /// open on it must have exited.
    pub fn restore_power(&mut self) -> anyhow::Result<()> {
        run("umount", &[self.mount.as_os_str()])?;
        self.mounted = false;
        self.mount()
    }

    fn mount(&mut self) -> anyhow::Result<()> {
        let device = self.device.as_deref().ok_or_else(|| anyhow::anyhow!("no loop device"))?;
        run("mount", &["-t".as_ref(), "ext4".as_ref(), device.as_ref(), self.mount.as_os_str()])?;
        self.mounted = true;
        Ok(())
    }
}

impl Drop for PowerCutDisk {
    fn drop(&mut self) {
        if self.mounted && run("umount", &[self.mount.as_os_str()]).is_err() {
            // busy (a process still holds a file): detach it lazily
            let _ = run("umount", &["-l".as_ref(), self.mount.as_os_str()]);
        }
        if let Some(device) = self.device.take() {
            let _ = run("losetup", &["-d", device.as_str()]);
        }
    }
}

/// Runs `tool` with `args`; its stdout, or an error with its stderr.
fn run<S: AsRef<std::ffi::OsStr>>(tool: &str, args: &[S]) -> anyhow::Result<String> {
    let path = find_tool(tool).ok_or_else(|| anyhow::anyhow!("`{tool}` not found"))?;
    let out = Command::new(path).args(args).output()?;
    anyhow::ensure!(
        out.status.success(),
        "{tool} {:?} failed ({}): {}",
        args.iter().map(|a| a.as_ref().to_string_lossy()).collect::<Vec<_>>(),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `tool` in PATH, else in the sbin directories a non-login PATH may lack.
fn find_tool(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}
