//! No module cycles in `node/src` or `federation/src`, at file level or
//! at folder level (a top-level folder or file of `src/` as one unit).
//!
//! The source is read as text (see `source.rs`): `use crate::…`,
//! `use super::…`, `crate::…`/`super::…` paths in code and child-module
//! paths, each resolved through re-exports to the file that defines the item.
//! Not counted: `mod x;` (declaring a child is not using it), a `pub use`
//! whose name the file's own code does not use (a module's public face), and
//! `#[cfg(test)]` code. A submodule using an item its parent file defines
//! does count, so a `mod.rs` that both holds shared types and uses its
//! children forms a cycle with them.
//!
//! [`KNOWN`] lists the cycles tolerated — none since the layers were
//! straightened (issue 9, point 1); the test fails on any cycle not in it,
//! and on a listed one that is gone. Run with `--nocapture` to see each
//! cycle found and the lines that close it.

mod graph;
mod lex;
mod source;

use std::collections::BTreeSet;
use std::path::Path;

use graph::{Graph, a_cycle, coarsen, cycles};
use source::{Reference, references};

/// Cycles tolerated: (crate, level, members). None: a new one fails the test.
const KNOWN: &[(&str, &str, &[&str])] = &[];

/// Every `.rs` file under `src` (crate root and modules; not `main.rs` or
/// `bin/`, which are crates of their own), path relative to `src`, and text.
fn read_crate(src: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            let rel = path.strip_prefix(src).expect("under src").to_string_lossy().replace('\\', "/");
            if path.is_dir() && rel != "bin" {
                dirs.push(path);
            } else if rel.ends_with(".rs") && rel != "main.rs" {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((rel, text));
            }
        }
    }
    out.sort();
    out
}

/// The folder-level unit of a file: its top folder (`service/`), or the
/// top-level file itself (`server.rs`); `x.rs` beside a folder `x/` is `x/`.
fn unit_of(file: &str, files: &BTreeSet<String>) -> String {
    match file.split_once('/') {
        Some((top, _)) => format!("{top}/"),
        None => {
            let stem = file.trim_end_matches(".rs");
            let folder = files.iter().any(|f| f.starts_with(&format!("{stem}/")));
            if folder { format!("{stem}/") } else { file.to_owned() }
        }
    }
}

/// One cycle, readably: its members, then a shortest cycle through them,
/// each step with the first line that makes it.
fn describe(krate: &str, level: &str, scc: &[String], g: &Graph, why: &dyn Fn(&str, &str) -> String) -> String {
    let mut s = format!("{krate}, {level} level: {}\n", scc.join(" ↔ "));
    let path = a_cycle(scc, g);
    for hop in path.windows(2) {
        s.push_str(&format!("    {} → {}   ({})\n", hop[0], hop[1], why(&hop[0], &hop[1])));
    }
    s
}

/// The `src` files of the workspace crate in folder `dir`.
fn sources(dir: &str) -> Vec<(String, String)> {
    read_crate(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir).join("src"))
}

/// The cycles of one crate at both levels, as (crate, level, members), and their descriptions.
fn crate_cycles(krate: &str, files: &[(String, String)]) -> (Vec<(String, String, Vec<String>)>, String) {
    let names: BTreeSet<String> = files.iter().map(|(f, _)| f.clone()).collect();
    let refs = references(files);
    let mut g = Graph::new();
    for r in &refs {
        g.entry(r.from.clone()).or_default().insert(r.to.clone());
    }
    let unit = |f: &str| unit_of(f, &names);
    let folders = coarsen(&g, unit);
    let first = |pick: &dyn Fn(&Reference) -> bool| {
        refs.iter().find(|r| pick(r)).map(|r| format!("{}:{} {}", r.from, r.line, r.path)).unwrap_or_default()
    };
    let file_why = |a: &str, b: &str| first(&|r| r.from == a && r.to == b);
    let folder_why = |a: &str, b: &str| first(&|r| unit(&r.from) == a && unit(&r.to) == b);
    let (mut found, mut text) = (Vec::new(), String::new());
    for (level, graph, why) in
        [("file", &g, &file_why as &dyn Fn(&str, &str) -> String), ("folder", &folders, &folder_why)]
    {
        for scc in cycles(graph) {
            text.push_str(&describe(krate, level, &scc, graph, why));
            found.push((krate.to_owned(), level.to_owned(), scc));
        }
    }
    (found, text)
}

#[test]
fn the_node_and_the_federation_have_no_module_cycles_beyond_the_known_ones() {
    let (mut found, mut text) = crate_cycles("node", &sources("node"));
    let (fed, fed_text) = crate_cycles("federation", &sources("federation"));
    found.extend(fed);
    text.push_str(&fed_text);
    println!("{} module cycle(s):\n{text}", found.len());
    let found: BTreeSet<(String, String, Vec<String>)> = found.into_iter().collect();
    let known: BTreeSet<(String, String, Vec<String>)> = KNOWN
        .iter()
        .map(|(k, l, m)| (k.to_string(), l.to_string(), m.iter().map(|s| s.to_string()).collect()))
        .collect();
    let new: Vec<_> = found.difference(&known).collect();
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "module cycles changed.\nnew (break them, or list them in KNOWN if deliberate): {new:#?}\n\
         gone (remove them from KNOWN): {gone:#?}\nall found:\n{text}"
    );
}

#[test]
fn a_new_cycle_in_the_real_tree_is_caught() {
    let mut node = sources("node");
    assert!(node.iter().any(|(f, _)| f == "lib.rs") && node.iter().any(|(f, _)| f == "service/mod.rs"));
    assert!(node.len() > 50, "the node has its modules: {}", node.len());
    let names: BTreeSet<String> = node.iter().map(|(f, _)| f.clone()).collect();
    let unit = |f: &str| unit_of(f, &names);
    let (before, _) = crate_cycles("node", &node);
    let in_a_cycle =
        |a: &str, b: &str| before.iter().any(|(_, _, m)| m.iter().any(|x| x == a) && m.iter().any(|x| x == b));
    // a real use between two folders, outside today's cycles; then the other way round as well
    let r = references(&node)
        .into_iter()
        .find(|r| {
            r.from != "lib.rs"
                && unit(&r.from) != unit(&r.to)
                && !in_a_cycle(&unit(&r.from), &unit(&r.to))
                && !in_a_cycle(&r.from, &r.to)
        })
        .expect("a use across folders");
    let back = format!("\nfn layering_probe() {{ crate::{}::Probe; }}\n", source::module_of(&r.from).join("::"));
    node.iter_mut().find(|(f, _)| *f == r.to).expect("the used file").1.push_str(&back);
    let (after, text) = crate_cycles("node", &node);
    let new: Vec<_> = after.iter().filter(|c| !before.contains(c)).collect();
    let caught = |level: &str, a: &str, b: &str| {
        new.iter().any(|(_, l, m)| l == level && m.iter().any(|x| x == a) && m.iter().any(|x| x == b))
    };
    assert!(caught("file", &r.from, &r.to), "{} ↔ {} at file level: {new:?}\n{text}", r.from, r.to);
    assert!(caught("folder", &unit(&r.from), &unit(&r.to)), "at folder level: {new:?}\n{text}");
    assert!(text.contains(&format!("{}:", r.to)), "the new use is shown with its line:\n{text}");
}

/// The layers `node/src/lib.rs` states, top first: for each row of its
/// table, the modules named in the second column.
fn stated_layers(lib_rs: &str) -> Vec<Vec<String>> {
    lib_rs
        .lines()
        .filter_map(|l| l.strip_prefix("//! | "))
        .filter_map(|row| row.split(" | ").nth(1).map(str::to_owned))
        .filter(|modules| modules.contains("[`"))
        .map(|modules| modules.split("[`").skip(1).filter_map(|m| m.split('`').next()).map(str::to_owned).collect())
        .collect()
}

#[test]
fn every_use_in_the_node_goes_down_the_layers_lib_rs_states() {
    let node = sources("node");
    let lib = &node.iter().find(|(f, _)| f == "lib.rs").expect("lib.rs").1;
    let layers = stated_layers(lib);
    assert!(layers.len() >= 8, "lib.rs states its layers: {layers:?}");
    let names: BTreeSet<String> = node.iter().map(|(f, _)| f.clone()).collect();
    let unit = |f: &str| unit_of(f, &names);
    let row_of = |u: &str| {
        let m = u.trim_end_matches('/').trim_end_matches(".rs");
        layers.iter().position(|row| row.iter().any(|x| x == m))
    };
    // every top-level module is placed in a row
    let units: BTreeSet<String> = names.iter().map(|f| unit(f)).filter(|u| u != "lib.rs").collect();
    let unplaced: Vec<_> = units.iter().filter(|u| row_of(u).is_none()).collect();
    assert!(unplaced.is_empty(), "modules lib.rs's table does not place: {unplaced:?}");
    let upward: Vec<String> = references(&node)
        .into_iter()
        // the crate root only declares modules and re-exports other crates
        .filter(|r| r.from != "lib.rs" && r.to != "lib.rs" && unit(&r.from) != unit(&r.to))
        .filter(|r| row_of(&unit(&r.from)) > row_of(&unit(&r.to)))
        .map(|r| format!("{}:{} {} (uses a layer above it)", r.from, r.line, r.path))
        .collect();
    assert!(upward.is_empty(), "uses against the layers of node/src/lib.rs:\n{}", upward.join("\n"));
}

#[test]
fn the_layer_table_is_read_from_the_crate_doc() {
    let doc = "//! | layer | modules | what |\n//! | --- | --- | --- |\n\
               //! | top | [`cli`], [`demo`] | the [`x`] front |\n//! | low | [`store`] | kept |\n";
    assert_eq!(stated_layers(doc), vec![vec!["cli".to_string(), "demo".into()], vec!["store".into()]]);
}

/// The `[dependencies]` names of a workspace crate's manifest.
fn dependencies(dir: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let section = text.split("\n[").find(|s| s.starts_with("dependencies]")).unwrap_or_default();
    section
        .lines()
        .skip(1)
        .filter_map(|l| l.split(['=', '.']).next())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .collect()
}

#[test]
fn the_domain_and_the_identities_depend_on_no_storage_transport_or_runtime_crate() {
    let forbidden =
        ["sled", "redb", "tonic", "tokio", "prost", "extranet-proto", "extranet-certs", "extranet-federation"];
    for (krate, allowed_inner) in [("domain", vec!["extranet-ids"]), ("ids", vec![])] {
        let deps = dependencies(krate);
        assert!(!deps.is_empty() || krate == "ids", "{krate} has dependencies to check: {deps:?}");
        let bad: Vec<_> = deps.iter().filter(|d| forbidden.iter().any(|f| d.starts_with(f))).collect();
        assert!(bad.is_empty(), "{krate} depends on {bad:?}");
        let inner: Vec<_> = deps.iter().filter(|d| d.starts_with("extranet-")).cloned().collect();
        assert_eq!(inner, allowed_inner, "{krate}'s in-tree dependencies");
    }
}
