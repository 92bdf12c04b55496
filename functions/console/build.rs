//! Embeds the console's assets: every file of `assets/` but `index.html` is served
//! under a name carrying a hash of its content (`app.<hash>.js`), so it may be cached
//! for a year, and `index.html` is rewritten to name them so. No tool beyond cargo.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

/// FNV-1a, 64 bits: a cache-busting tag, not a security property.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("assets");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut index = fs::read_to_string(dir.join("index.html")).expect("assets/index.html");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .expect("assets/")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "index.html")
        .collect();
    names.sort();
    let mut table = String::from("pub static ASSETS: &[Asset] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = fs::read(&path).unwrap();
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        let hashed = format!("{stem}.{:012x}.{ext}", fnv1a(&bytes) >> 16);
        index = index.replace(&format!("\"{name}\""), &format!("\"{hashed}\""));
        writeln!(
            table,
            "    Asset {{ name: {hashed:?}, content_type: {:?}, body: include_bytes!({:?}) }},",
            content_type(name),
            path.display().to_string()
        )
        .unwrap();
    }
    table.push_str("];\n");
    fs::write(out.join("index.html"), index).unwrap();
    fs::write(out.join("assets.rs"), table).unwrap();
}
