//! The topology (区划拓扑): which divisions the federation has, their names and
//! who is whose parent. The default is the Tibet Autonomous Region's 82
//! divisions (`domain/data/topology/xizang.tsv`, from the Ministry of Civil
//! Affairs GB/T 2260 list; see the file's header). Another region, or the
//! national level above the region, is described by a file of the same
//! format, read with [`Topology::parse`].
//!
//! # File format
//!
//! UTF-8, tab-separated, one division per line with the columns
//! `code level name_zh name_en parent_code`; a first line starting with
//! `code` is a header; lines starting with `#` and empty lines are ignored.
//! Exactly one division (the top) has an empty `parent_code`; every other
//! division's parent must appear on an earlier line. A division's
//! [`NodeId`] path is built from the parent links, e.g. `540000/540100/540102`.

use std::collections::BTreeMap;

use extranet_ids::NodeId;
use serde::Serialize;

use crate::error::{DomainError, Result};

/// The default topology: the 82 divisions of the Tibet Autonomous Region.
pub const XIZANG_TSV: &str = include_str!("../data/topology/xizang.tsv");

/// One division (行政区划) of a topology.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Division {
    /// Its node path, built from parent links.
    pub id: NodeId,
    /// Tier as written in the file: `nation`, `region`, `prefecture` or `county`.
    pub level: String,
    /// Chinese name, e.g. 城关区.
    pub name_zh: String,
    /// English name, e.g. Chengguan.
    pub name_en: String,
}

/// A tree of divisions, parents before children.
#[derive(Clone, Debug)]
pub struct Topology {
    divisions: Vec<Division>,
    by_id: BTreeMap<NodeId, usize>,
}

impl Topology {
    /// The Tibet Autonomous Region (the embedded default).
    pub fn xizang() -> Self {
        Self::parse(XIZANG_TSV).expect("the embedded topology is valid (checked by a unit test)")
    }

    /// Reads a topology file (format in the module documentation).
    pub fn parse(text: &str) -> Result<Self> {
        let mut paths: BTreeMap<String, NodeId> = BTreeMap::new();
        let mut topo = Topology { divisions: Vec::new(), by_id: BTreeMap::new() };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') || line.starts_with("code\t") {
                continue;
            }
            let bad = |rule: &str| DomainError::Config(format!("拓扑文件第 {} 行：{rule}", i + 1));
            let cols: Vec<&str> = line.split('\t').collect();
            let [code, level, name_zh, name_en, parent] = cols[..] else {
                return Err(bad("应有 5 列（code level name_zh name_en parent_code），以制表符分隔"));
            };
            let id = match parent.trim() {
                "" if topo.divisions.is_empty() => NodeId::parse(code),
                "" => return Err(bad("只能有一个最上级区划（parent_code 为空）")),
                p => paths.get(p).ok_or_else(|| bad(&format!("上级 {p} 须出现在本行之前")))?.child(code),
            }
            .map_err(|e| bad(&e.to_string()))?;
            if paths.insert(code.to_string(), id.clone()).is_some() {
                return Err(bad(&format!("区划代码 {code} 重复")));
            }
            topo.by_id.insert(id.clone(), topo.divisions.len());
            let (name_zh, name_en) = (name_zh.to_string(), name_en.to_string());
            topo.divisions.push(Division { id, level: level.to_string(), name_zh, name_en });
        }
        if topo.divisions.is_empty() {
            return Err(DomainError::Config("拓扑文件中没有任何区划".into()));
        }
        Ok(topo)
    }

    /// The top division.
    pub fn root(&self) -> &Division {
        &self.divisions[0]
    }

    /// Every division, parents before children.
    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    /// One division by path.
    pub fn get(&self, id: &NodeId) -> Option<&Division> {
        self.by_id.get(id).map(|&i| &self.divisions[i])
    }

    /// One division by its six-digit code.
    pub fn by_code(&self, code: &str) -> Option<&Division> {
        self.divisions.iter().find(|d| d.id.code() == code)
    }

    /// `root` and every division below it, parents before children.
    pub fn subtree(&self, root: &NodeId) -> Vec<&Division> {
        self.divisions.iter().filter(|d| d.id.is_within(root)).collect()
    }

    /// The node paths of every division, parents first (for starting a
    /// federation or rendering deployments).
    pub fn ids(&self) -> Vec<NodeId> {
        self.divisions.iter().map(|d| d.id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xizang_has_82_divisions_in_three_tiers() {
        let t = Topology::xizang();
        assert_eq!(t.divisions().len(), 82);
        assert_eq!(t.root().id.as_str(), "540000");
        let count = |level: &str| t.divisions().iter().filter(|d| d.level == level).count();
        assert_eq!((count("region"), count("prefecture"), count("county")), (1, 7, 74));
        let depth = |level: &str| {
            if level == "county" {
                3
            } else if level == "prefecture" {
                2
            } else {
                1
            }
        };
        assert!(t.divisions().iter().all(|d| d.id.depth() == depth(&d.level)));
        assert_eq!(t.by_code("540102").unwrap().id.as_str(), "540000/540100/540102");
        // county-level cities under their administering prefectures
        assert_eq!(t.by_code("540481").unwrap().id.as_str(), "540000/540400/540481");
        assert_eq!(t.by_code("540581").unwrap().id.as_str(), "540000/540500/540581");
        assert_eq!(t.subtree(&t.by_code("542500").unwrap().id).len(), 8, "Ngari: prefecture and 7 counties");
    }

    #[test]
    fn another_level_is_described_the_same_way() {
        let text = "code\tlevel\tname_zh\tname_en\tparent_code\n\
                    100000\tnation\t国家\tNation\t\n540000\tregion\t西藏自治区\tXizang\t100000\n";
        let t = Topology::parse(text).unwrap();
        assert_eq!(t.divisions()[1].id.as_str(), "100000/540000");
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        for bad in ["540000\tregion\tx\n", "540100\tprefecture\tx\tX\t540000\n", "1\tregion\tx\tX\t\n"] {
            let e = Topology::parse(bad).unwrap_err().to_string();
            assert!(e.contains("第 1 行"), "{e}");
        }
        let two_roots = "540000\tregion\tx\tX\t\n540100\tregion\ty\tY\t\n";
        assert!(Topology::parse(two_roots).is_err());
    }
}
