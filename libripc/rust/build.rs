// SPDX-License-Identifier: GPL-2.0
//! Generates the ABI from include/uapi/linux/ripc.h with the bindgen CLI
//! that `scripts/provision.sh` installs, as the kernel module does.

use std::{env, path::PathBuf, process::Command};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let header = manifest.join("../../include/uapi/linux/ripc.h");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("uapi.rs");
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-env-changed=BINDGEN");

    let bindgen = env::var("BINDGEN").unwrap_or_else(|_| "bindgen".into());
    let status = Command::new(&bindgen)
        .arg(&header)
        .args(["--use-core", "--clang-macro-fallback", "--no-layout-tests"])
        .args(["--allowlist-item", "ripc_.*|RIPC_.*|RIPCFS_.*"])
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run {bindgen} ({e}): run 'make provision' or set BINDGEN")
        });
    assert!(status.success(), "bindgen failed on {}", header.display());
}
