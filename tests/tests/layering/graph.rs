//! Cycles in a dependency graph: Tarjan's strongly connected components,
//! and one shortest cycle through each, to print a cycle a reader can follow.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Who uses whom: each node and the nodes it refers to.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every set of nodes that reach each other (size two or more), each sorted,
/// the sets sorted: the cycles of `g`.
pub fn cycles(g: &Graph) -> Vec<Vec<String>> {
    let mut t = Tarjan {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    let nodes: BTreeSet<&String> = g.keys().chain(g.values().flatten()).collect();
    for n in nodes {
        if !t.index.contains_key(n.as_str()) {
            t.visit(n);
        }
    }
    let mut out: Vec<Vec<String>> = t.out.into_iter().filter(|c| c.len() > 1).collect();
    out.iter_mut().for_each(|c| c.sort());
    out.sort();
    out
}

struct Tarjan<'a> {
    g: &'a Graph,
    index: BTreeMap<&'a str, usize>,
    low: BTreeMap<&'a str, usize>,
    stack: Vec<&'a str>,
    on: BTreeSet<&'a str>,
    out: Vec<Vec<String>>,
}

impl<'a> Tarjan<'a> {
    fn visit(&mut self, v: &'a str) {
        let i = self.index.len();
        self.index.insert(v, i);
        self.low.insert(v, i);
        self.stack.push(v);
        self.on.insert(v);
        for w in self.g.get(v).into_iter().flatten() {
            if !self.index.contains_key(w.as_str()) {
                self.visit(w);
                let lw = self.low[w.as_str()];
                self.low.entry(v).and_modify(|l| *l = (*l).min(lw));
            } else if self.on.contains(w.as_str()) {
                let iw = self.index[w.as_str()];
                self.low.entry(v).and_modify(|l| *l = (*l).min(iw));
            }
        }
        if self.low[v] == self.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on.remove(w);
                scc.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            self.out.push(scc);
        }
    }
}

/// A shortest cycle from the first member of `scc` back to it, inside `scc`.
pub fn a_cycle(scc: &[String], g: &Graph) -> Vec<String> {
    let start = &scc[0];
    let inside: BTreeSet<&String> = scc.iter().collect();
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in g.get(v).into_iter().flatten().filter(|w| inside.contains(w)) {
            if w == start {
                let mut back = vec![start.clone()];
                let mut at = v;
                while at != start {
                    back.push(at.clone());
                    at = came_from[at];
                }
                back.push(start.clone());
                back.reverse();
                return back;
            }
            if !came_from.contains_key(w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start.clone()]
}

/// `g` seen from above: each node replaced by `unit(node)`, edges inside a unit dropped.
pub fn coarsen(g: &Graph, unit: impl Fn(&str) -> String) -> Graph {
    let mut out = Graph::new();
    for (from, tos) in g {
        for to in tos {
            let (a, b) = (unit(from), unit(to));
            if a != b {
                out.entry(a).or_default().insert(b);
            }
        }
    }
    out
}

#[cfg(test)]
fn graph(edges: &[(&str, &str)]) -> Graph {
    let mut g = Graph::new();
    for (a, b) in edges {
        g.entry(a.to_string()).or_default().insert(b.to_string());
    }
    g
}

#[test]
fn a_cycle_is_found_with_only_its_members() {
    let g = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("x", "x")]);
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
    assert_eq!(a_cycle(&cycles(&g)[0], &g), vec!["a", "b", "c", "a"]);
}

#[test]
fn an_acyclic_graph_has_no_cycles() {
    let g = graph(&[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")]);
    assert!(cycles(&g).is_empty(), "{:?}", cycles(&g));
}

#[test]
fn two_cycles_sharing_nothing_are_two() {
    let g = graph(&[("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "c")]);
    assert_eq!(cycles(&g), vec![vec!["a", "b"], vec!["c", "d"]]);
    assert_eq!(a_cycle(&cycles(&g)[1], &g), vec!["c", "d", "c"]);
}

#[test]
fn a_folder_level_cycle_is_found_where_files_form_none() {
    // svc/a.rs → ops/b.rs → svc/c.rs: no file uses itself again, but the folders do
    let g = graph(&[("svc/a.rs", "ops/b.rs"), ("ops/b.rs", "svc/c.rs"), ("svc/c.rs", "lib.rs")]);
    assert!(cycles(&g).is_empty());
    let folders = coarsen(&g, |f| f.split('/').next().unwrap_or(f).to_string());
    assert_eq!(cycles(&folders), vec![vec!["ops", "svc"]]);
}
