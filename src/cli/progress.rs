//! A progress line while a check runs: files (or commits and blobs), bytes,
//! the rate, and for git scans an estimate of the time left. Drawn only on
//! an interactive terminal (stderr is one, not in CI, not `--quiet`), so
//! nothing of it reaches files, pipes, CI logs or machine formats.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanCount, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::check::Progress;

/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(100);
/// A check done sooner (a pre-commit hook's) draws no line at all.
const QUIET_START: Duration = Duration::from_millis(250);

/// Whether a person is watching stderr.
pub(super) fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// A line drawn by a thread of its own until `finish`.
pub(super) struct Line {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Line {
    /// Draw `progress` of a tree scan, or of a git scan (`git`).
    pub(super) fn start(progress: Arc<Progress>, git: bool) -> Line {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            std::thread::park_timeout(QUIET_START);
            if stopped.load(Ordering::Relaxed) {
                return;
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            while !stopped.load(Ordering::Relaxed) {
                bar.set_message(message(&progress, git, started.elapsed()));
                bar.tick();
                std::thread::park_timeout(TICK);
            }
            bar.finish_and_clear();
        });
        Line { stop, thread }
    }

    /// Stop and clear the line before the report is written.
    pub(super) fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.thread().unpark();
        let _ = self.thread.join();
    }
}

fn message(p: &Progress, git: bool, elapsed: Duration) -> String {
    let (total, done, bytes, commits) =
        (Progress::get(&p.total), Progress::get(&p.done), Progress::get(&p.bytes), Progress::get(&p.commits));
    let unit = if git { "blobs" } else { "files" };
    if total == 0 {
        return if git { "listing commits…".to_string() } else { "listing files…".to_string() };
    }
    let secs = elapsed.as_secs_f64().max(0.001);
    let rate = HumanBytes((bytes as f64 / secs) as u64);
    let mut line = String::new();
    if git {
        line.push_str(&format!("{} commits · ", HumanCount(commits)));
    }
    line.push_str(&format!("{}/{} {unit} · {} · {rate}/s", HumanCount(done), HumanCount(total), HumanBytes(bytes)));
    if git && done > 0 && done < total {
        let left = Duration::from_secs_f64(secs * (total - done) as f64 / done as f64);
        line.push_str(&format!(" · about {} left", HumanDuration(left)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_files_or_commits_and_blobs() {
        let p = Progress::default();
        assert_eq!(message(&p, false, Duration::from_secs(1)), "listing files…");
        p.total.store(2_000, Ordering::Relaxed);
        p.done.store(500, Ordering::Relaxed);
        p.bytes.store(50 << 20, Ordering::Relaxed);
        assert_eq!(message(&p, false, Duration::from_secs(2)), "500/2,000 files · 50.00 MiB · 25.00 MiB/s");
        p.commits.store(4_546, Ordering::Relaxed);
        assert_eq!(
            message(&p, true, Duration::from_secs(2)),
            "4,546 commits · 500/2,000 blobs · 50.00 MiB · 25.00 MiB/s · about 6 seconds left"
        );
    }
}
