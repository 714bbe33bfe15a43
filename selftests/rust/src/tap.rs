// SPDX-License-Identifier: GPL-2.0
//! A minimal TAP producer, so the guest runner counts Rust tests the same
//! way as kselftest programs.

/// The outcome of one test.
pub enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

/// One named test case.
pub struct Case {
    pub name: &'static str,
    pub run: fn() -> Outcome,
}

/// Runs every case (each in a forked child, so a crash fails one case
/// only) and prints TAP. Returns the process exit status.
pub fn run(cases: &[Case]) -> i32 {
    println!("TAP version 13");
    println!("1..{}", cases.len());
    let mut failed = 0;
    for (i, case) in cases.iter().enumerate() {
        let n = i + 1;
        match run_isolated(case) {
            Outcome::Pass => println!("ok {n} {}", case.name),
            Outcome::Skip(why) => println!("ok {n} {} # SKIP {why}", case.name),
            Outcome::Fail(why) => {
                failed += 1;
                println!("# {}: {why}", case.name);
                println!("not ok {n} {}", case.name);
            }
        }
    }
    i32::from(failed != 0)
}

fn run_isolated(case: &Case) -> Outcome {
    use std::io::Write;
    std::io::stdout().flush().ok();
    // SAFETY: the child only runs the test and exits; the process is
    // single-threaded at this point.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let code = match (case.run)() {
            Outcome::Pass => 0,
            Outcome::Skip(why) => {
                println!("# skip-reason: {why}");
                4
            }
            Outcome::Fail(why) => {
                println!("# {why}");
                1
            }
        };
        std::io::stdout().flush().ok();
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for the child just forked.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    if libc::WIFSIGNALED(status) {
        Outcome::Fail(format!("killed by signal {}", libc::WTERMSIG(status)))
    } else {
        match libc::WEXITSTATUS(status) {
            0 => Outcome::Pass,
            4 => Outcome::Skip("see above".into()),
            c => Outcome::Fail(format!("exit status {c}")),
        }
    }
}

/// Fails the current test with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return $crate::tap::Outcome::Fail(format!("{}:{}: {}", file!(), line!(), format!($($msg)+)));
        }
    };
}
