//! Reads a crate's source into module references: which file's code names
//! which other file's item, through `use crate::…`, `use super::…`, a
//! `crate::x::` or `super::` path in code, or a child module's name.
//! A path through a re-export (`pub use`, also `pub use x::*`) is followed to
//! the file that defines the item, so `crate::Result` counts as a use of
//! `error.rs`, not of `lib.rs`.

use std::collections::{BTreeMap, BTreeSet};

use super::lex::{Tok, lex};

/// A module path inside the crate (`[]` is the crate root).
type ModPath = Vec<String>;

/// One reference from a file to another: where, and the path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub from: String,
    pub to: String,
    pub line: usize,
    pub path: String,
}

#[derive(Default, Clone)]
struct Module {
    file: String,
    items: BTreeSet<String>,
    reexports: BTreeMap<String, ModPath>,
    globs: Vec<ModPath>,
    /// Declared `#[cfg(test)]`: its references are not the crate's layering.
    test_only: bool,
}

/// A `use` tree flattened: the full path, the name it binds (`None` for a glob).
struct UseEntry {
    path: Vec<String>,
    binds: Option<String>,
}

/// The module path of a source file named relative to `src/`.
pub fn module_of(file: &str) -> ModPath {
    let stem = file.trim_end_matches(".rs");
    let mut segs: ModPath = stem.split('/').map(str::to_owned).collect();
    if matches!(segs.last().map(String::as_str), Some("mod" | "lib")) {
        segs.pop();
    }
    segs
}

/// Every cross-file reference among `files` (path relative to `src/`, text).
pub fn references(files: &[(String, String)]) -> Vec<Reference> {
    let toks: Vec<(String, Vec<Tok>)> = files.iter().map(|(f, s)| (f.clone(), lex(s))).collect();
    let mut mods: BTreeMap<ModPath, Module> = BTreeMap::new();
    for (file, _) in files {
        mods.insert(module_of(file), Module { file: file.clone(), ..Module::default() });
    }
    for (file, t) in &toks {
        scan(file, t, &mut mods, &mut |_| {}, &mut BTreeSet::new());
    }
    let mut out = Vec::new();
    for (file, t) in &toks {
        let m = module_of(file);
        if (1..=m.len()).any(|n| mods.get(&m[..n]).is_some_and(|x| x.test_only)) {
            continue;
        }
        let mut found = Vec::new();
        let mut used = BTreeSet::new();
        scan(file, t, &mut mods.clone(), &mut |f| found.push(f), &mut used);
        for Found { cur, path, line, reexport } in found {
            let written = path.join("::");
            let Some(abs) = absolute(&cur, path, &mods) else { continue };
            // a re-export is the module's public face, not a use, unless its own code uses the name
            let used_here = match &reexport {
                None => true,
                Some(Some(name)) => used.contains(name.as_str()),
                Some(None) => mods.get(&abs).is_some_and(|m| m.items.iter().any(|n| used.contains(n.as_str()))),
            };
            if !used_here {
                continue;
            }
            let to = locate(&abs, &mods, 0);
            if let Some(to) = to.filter(|to| to != file) {
                out.push(Reference { from: file.clone(), to, line, path: written });
            }
        }
    }
    out
}

/// A path named in a file, in module `cur`; `reexport` is `Some(binding)`
/// for a `pub use` (`Some(None)` for a glob).
struct Found {
    cur: ModPath,
    path: Vec<String>,
    line: usize,
    reexport: Option<Option<String>>,
}

/// Walks one file's tokens: records its modules, items and re-exports in
/// `mods`, and hands each path it names to `seen`; `used` gets the
/// identifiers of its code outside `use` declarations and tests.
fn scan(
    file: &str,
    t: &[Tok],
    mods: &mut BTreeMap<ModPath, Module>,
    seen: &mut dyn FnMut(Found),
    used: &mut BTreeSet<String>,
) {
    mods.entry(module_of(file)).or_default().file = file.to_owned();
    let mut s = Scan { file, t, mods, seen, used, stack: vec![(module_of(file), 0, false)], depth: 0 };
    let mut i = 0;
    while i < t.len() {
        let tok = &t[i];
        if tok.is_ident() && !s.in_test() {
            s.used.insert(tok.text.clone());
        }
        i = if tok.is("{") {
            s.depth += 1;
            i + 1
        } else if tok.is("}") {
            if s.stack.len() > 1 && s.stack.last().is_some_and(|m| m.1 == s.depth) {
                s.stack.pop();
            }
            s.depth -= 1;
            i + 1
        } else if tok.is("use") && t.get(i + 1).is_some_and(|n| !n.is("<")) {
            s.use_decl(i)
        } else if is_item_keyword(tok) && t.get(i + 1).is_some_and(Tok::is_ident) {
            s.item(i)
        } else if tok.is_ident() && path_start(t, i) {
            s.path(i)
        } else {
            i + 1
        };
    }
}

/// The state of [`scan`] in one file.
struct Scan<'a> {
    file: &'a str,
    t: &'a [Tok],
    mods: &'a mut BTreeMap<ModPath, Module>,
    seen: &'a mut dyn FnMut(Found),
    used: &'a mut BTreeSet<String>,
    /// Each open module: its path, the brace depth of its items, whether it is test code.
    stack: Vec<(ModPath, usize, bool)>,
    depth: usize,
}

impl Scan<'_> {
    fn cur(&self) -> ModPath {
        self.stack.last().expect("the file's module").0.clone()
    }

    fn in_test(&self) -> bool {
        self.stack.last().expect("the file's module").2
    }

    /// The `use` declaration at `i`; returns the index after it.
    fn use_decl(&mut self, i: usize) -> usize {
        let t = self.t;
        let public = i > 0 && (t[i - 1].is("pub") || (t[i - 1].is(")") && i >= 4 && t[i - 4].is("pub")));
        let (entries, end) = use_tree(t, i + 1, Vec::new());
        let cur = self.cur();
        for e in entries {
            if !self.in_test() {
                let reexport = public.then(|| e.binds.clone());
                (self.seen)(Found { cur: cur.clone(), path: e.path.clone(), line: t[i].line, reexport });
            }
            if public && let Some(abs) = absolute(&cur, e.path, self.mods) {
                let m = self.mods.entry(cur.clone()).or_default();
                match e.binds {
                    Some(name) => drop(m.reexports.insert(name, abs)),
                    None => m.globs.push(abs),
                }
            }
        }
        end
    }

    /// The item named after the keyword at `i`; an inline `mod` is entered.
    fn item(&mut self, i: usize) -> usize {
        let (t, cur) = (self.t, self.cur());
        let name = t[i + 1].text.clone();
        if self.depth == self.stack.last().expect("module").1 {
            self.mods.entry(cur.clone()).or_default().items.insert(name.clone());
        }
        if !t[i].is("mod") {
            return i + 1;
        }
        let mut inner = cur;
        inner.push(name);
        let test = self.in_test() || cfg_test_before(t, i);
        self.mods.entry(inner.clone()).or_default().test_only |= test;
        if !t.get(i + 2).is_some_and(|n| n.is("{")) {
            return i + 1;
        }
        self.mods.entry(inner.clone()).or_default().file = self.file.to_owned();
        self.depth += 1;
        self.stack.push((inner, self.depth, test));
        i + 3
    }

    /// The path starting at `i` in code; returns the index after it.
    fn path(&mut self, i: usize) -> usize {
        let t = self.t;
        let mut path = vec![t[i].text.clone()];
        let mut j = i + 1;
        while t.get(j).is_some_and(|x| x.is("::")) && t.get(j + 1).is_some_and(Tok::is_ident) {
            path.push(t[j + 1].text.clone());
            j += 2;
        }
        if !self.in_test() && path.len() > 1 {
            self.used.extend(path[1..].iter().cloned());
            let cur = self.cur();
            (self.seen)(Found { cur, path, line: t[i].line, reexport: None });
        }
        j
    }
}

/// Whether `#[cfg(test)]` (possibly after `pub`) stands just before the item at `i`.
fn cfg_test_before(t: &[Tok], i: usize) -> bool {
    let start = if i > 0 && t[i - 1].is("pub") { i - 1 } else { i };
    start >= 7 && ["#", "[", "cfg", "(", "test", ")", "]"].iter().zip(&t[start - 7..start]).all(|(w, x)| x.is(w))
}

fn is_item_keyword(t: &Tok) -> bool {
    ["struct", "enum", "fn", "trait", "type", "const", "static", "union", "mod"].contains(&t.text.as_str())
}

/// Whether a path starts at `i`: an identifier followed by `::`, not itself after `::` or `.`.
fn path_start(t: &[Tok], i: usize) -> bool {
    t.get(i + 1).is_some_and(|n| n.is("::")) && (i == 0 || !(t[i - 1].is("::") || t[i - 1].is(".")))
}

/// Parses the use tree starting at `i` under `prefix`; returns its entries and the index after it.
fn use_tree(t: &[Tok], mut i: usize, mut prefix: Vec<String>) -> (Vec<UseEntry>, usize) {
    let mut out = Vec::new();
    if t.get(i).is_some_and(|x| x.is("::")) {
        i += 1;
    }
    loop {
        match t.get(i) {
            Some(x) if x.is("{") => {
                i += 1;
                while t.get(i).is_some_and(|x| !x.is("}")) {
                    let (mut more, next) = use_tree(t, i, prefix.clone());
                    out.append(&mut more);
                    i = next;
                    if t.get(i).is_some_and(|x| x.is(",")) {
                        i += 1;
                    }
                }
                i += 1;
                break;
            }
            Some(x) if x.is("*") => {
                out.push(UseEntry { path: prefix.clone(), binds: None });
                i += 1;
                break;
            }
            Some(x) if x.is_ident() => {
                if x.is("self") && !prefix.is_empty() {
                    let name = prefix.last().cloned();
                    i += 1;
                    let name = alias(t, &mut i).or(name);
                    out.push(UseEntry { path: prefix.clone(), binds: name });
                    break;
                }
                prefix.push(x.text.clone());
                i += 1;
                if t.get(i).is_some_and(|x| x.is("::")) {
                    i += 1;
                    continue;
                }
                let name = alias(t, &mut i).or(prefix.last().cloned());
                out.push(UseEntry { path: prefix.clone(), binds: name });
                break;
            }
            _ => break,
        }
    }
    if t.get(i).is_some_and(|x| x.is(";")) {
        i += 1;
    }
    (out, i)
}

/// Reads `as name` at `i`, if there.
fn alias(t: &[Tok], i: &mut usize) -> Option<String> {
    if t.get(*i).is_some_and(|x| x.is("as")) {
        *i += 2;
        return t.get(*i - 1).map(|x| x.text.clone());
    }
    None
}

/// The crate-absolute form of `path` written in module `cur`, or `None`
/// if it names something outside the crate.
fn absolute(cur: &[String], path: Vec<String>, mods: &BTreeMap<ModPath, Module>) -> Option<ModPath> {
    let mut base: ModPath = cur.to_vec();
    let mut rest = path.into_iter().peekable();
    match rest.peek().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest.next();
        }
        Some("self") => {
            rest.next();
        }
        Some("super") => {
            while rest.peek().is_some_and(|s| s == "super") {
                base.pop()?;
                rest.next();
            }
        }
        Some(first) => {
            let mut child = base.clone();
            child.push(first.to_owned());
            if !mods.contains_key(&child) {
                return None;
            }
        }
        None => return None,
    }
    base.extend(rest);
    Some(base)
}

/// The file that defines what the absolute path `abs` names, following re-exports.
fn locate(abs: &[String], mods: &BTreeMap<ModPath, Module>, hops: usize) -> Option<String> {
    let n = (0..=abs.len()).rev().find(|&n| mods.contains_key(&abs[..n]))?;
    let (m, rest) = (&mods[&abs[..n]], &abs[n..]);
    if let (Some(name), true) = (rest.first(), hops < 8) {
        let follow = |target: &ModPath| {
            let mut p = target.clone();
            p.extend(rest[1..].iter().cloned());
            locate(&p, mods, hops + 1)
        };
        if let Some(target) = m.reexports.get(name) {
            return follow(target).or(Some(m.file.clone()));
        }
        if !m.items.contains(name) {
            for g in &m.globs {
                let defines = mods.get(g).is_some_and(|gm| gm.items.contains(name) || gm.reexports.contains_key(name));
                if defines {
                    let mut p = g.clone();
                    p.extend(rest.iter().cloned());
                    return locate(&p, mods, hops + 1);
                }
            }
        }
    }
    Some(m.file.clone())
}

#[test]
fn paths_resolve_to_the_defining_file_through_re_exports() {
    let files = [
        ("lib.rs", "pub mod a; pub mod b; pub mod error; pub use error::Result;"),
        ("error.rs", "pub type Result<T> = std::result::Result<T, ()>;"),
        ("a/mod.rs", "mod x; mod y; pub use x::*; pub use y::Why as Y; pub struct Own(Y);"),
        ("a/x.rs", "pub struct Ex; use super::Y; fn f() -> super::Own { todo!() }"),
        ("a/y.rs", "pub struct Why; #[cfg(test)] mod tests { use crate::b::Bee; } #[cfg(test)] mod more;"),
        ("a/y/more.rs", "use crate::b::Bee;"),
        ("b.rs", "use crate::a::{self, Ex}; pub struct Bee; fn f() -> crate::Result<()> { a::Own; Ok(()) }"),
    ];
    let files: Vec<(String, String)> = files.iter().map(|(f, s)| (f.to_string(), s.to_string())).collect();
    let mut got: Vec<(String, String)> = references(&files).into_iter().map(|r| (r.from, r.to)).collect();
    got.sort();
    got.dedup();
    // not here: lib.rs → error.rs and a/mod.rs → a/x.rs (re-exports only), a/y.rs → b.rs (test code)
    let want = [
        ("a/mod.rs", "a/y.rs"), // Own(Y): a re-exported name its own code uses
        ("a/x.rs", "a/mod.rs"), // super::Own
        ("a/x.rs", "a/y.rs"),   // super::Y, re-exported from y
        ("b.rs", "a/mod.rs"),   // use crate::a::{self}, a::Own
        ("b.rs", "a/x.rs"),     // crate::a::Ex, through the glob
        ("b.rs", "error.rs"),   // crate::Result, through lib.rs
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
}
