//! A generated national tree in the topology file format (see
//! `extranet_node::topology`), for the national-scale bench: the nation on
//! top, the 31 province-level divisions of the mainland under it by their
//! real GB/T 2260 codes, and under each a synthetic set of prefectures and
//! counties whose codes are derived from the province's, so that the tree
//! has the shape and size of the real one (about 3,400 nodes) without
//! pretending to be its content.
//!
//! Codes: the nation is `100000` (GB/T 2260 gives the country no code; this
//! is the one commonly used for it, and no province-level code starts with
//! `10`); prefecture `p` of province `PP0000` is `PPpp00`, county `c` of it
//! is `PPppcc` (`pp`, `cc` from 01), so every code is six digits and unique.
//! Province-level divisions are written with the tier `region`, the word
//! the file format uses for the tier below the top.

/// The nation's code (the top of the tree).
pub const NATION: &str = "100000";

/// The 31 province-level divisions of the mainland (GB/T 2260): code,
/// Chinese name, English name.
pub const PROVINCES: [(&str, &str, &str); 31] = [
    ("110000", "北京市", "Beijing"),
    ("120000", "天津市", "Tianjin"),
    ("130000", "河北省", "Hebei"),
    ("140000", "山西省", "Shanxi"),
    ("150000", "内蒙古自治区", "Inner Mongolia"),
    ("210000", "辽宁省", "Liaoning"),
    ("220000", "吉林省", "Jilin"),
    ("230000", "黑龙江省", "Heilongjiang"),
    ("310000", "上海市", "Shanghai"),
    ("320000", "江苏省", "Jiangsu"),
    ("330000", "浙江省", "Zhejiang"),
    ("340000", "安徽省", "Anhui"),
    ("350000", "福建省", "Fujian"),
    ("360000", "江西省", "Jiangxi"),
    ("370000", "山东省", "Shandong"),
    ("410000", "河南省", "Henan"),
    ("420000", "湖北省", "Hubei"),
    ("430000", "湖南省", "Hunan"),
    ("440000", "广东省", "Guangdong"),
    ("450000", "广西壮族自治区", "Guangxi"),
    ("460000", "海南省", "Hainan"),
    ("500000", "重庆市", "Chongqing"),
    ("510000", "四川省", "Sichuan"),
    ("520000", "贵州省", "Guizhou"),
    ("530000", "云南省", "Yunnan"),
    ("540000", "西藏自治区", "Xizang"),
    ("610000", "陕西省", "Shaanxi"),
    ("620000", "甘肃省", "Gansu"),
    ("630000", "青海省", "Qinghai"),
    ("640000", "宁夏回族自治区", "Ningxia"),
    ("650000", "新疆维吾尔自治区", "Xinjiang"),
];

/// The national tree as a topology file: the nation, the 31 provinces,
/// `prefectures` prefectures in each and `counties` counties in each
/// prefecture (each at most 99), parents before children.
pub fn national_tsv(prefectures: usize, counties: usize) -> String {
    assert!((1..=99).contains(&prefectures) && (1..=99).contains(&counties), "two-digit codes");
    let mut out = String::from("# A generated national tree (extranet-tests, src/national.rs): real\n");
    out.push_str("# province-level codes, synthetic prefectures and counties.\n");
    out.push_str("code\tlevel\tname_zh\tname_en\tparent_code\n");
    out.push_str(&format!("{NATION}\tnation\t全国\tNation\t\n"));
    for (code, zh, en) in PROVINCES {
        out.push_str(&format!("{code}\tregion\t{zh}\t{en}\t{NATION}\n"));
        let pp = &code[..2];
        for p in 1..=prefectures {
            let pref = format!("{pp}{p:02}00");
            out.push_str(&format!("{pref}\tprefecture\t{zh}第{p}地市\t{en} prefecture {p}\t{code}\n"));
            for c in 1..=counties {
                let county = format!("{pp}{p:02}{c:02}");
                out.push_str(&format!("{county}\tcounty\t{zh}第{p}地市第{c}县\t{en} {p}-{c}\t{pref}\n"));
            }
        }
    }
    out
}

/// Every path of the national tree of [`national_tsv`], parents first.
pub fn national_paths(prefectures: usize, counties: usize) -> Vec<String> {
    let topo = extranet_node::topology::Topology::parse(&national_tsv(prefectures, counties))
        .expect("the generated national tree is a valid topology (checked by a test)");
    topo.ids().iter().map(|i| i.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use extranet_node::topology::Topology;

    #[test]
    fn the_national_tree_has_four_tiers_and_unique_codes() {
        let topo = Topology::parse(&national_tsv(10, 10)).expect("valid topology");
        assert_eq!(topo.divisions().len(), 1 + 31 + 310 + 3100);
        assert_eq!(topo.root().id.as_str(), NATION);
        let depth = |level: &str| topo.divisions().iter().filter(|d| d.level == level).map(|d| d.id.depth()).max();
        assert_eq!([depth("nation"), depth("region"), depth("prefecture"), depth("county")], [1, 2, 3, 4].map(Some));
        let beijing_county = topo.by_code("110203").expect("Beijing, prefecture 2, county 3");
        assert_eq!(beijing_county.id.as_str(), "100000/110000/110200/110203");
        assert_eq!(beijing_county.name_zh, "北京市第2地市第3县");
        assert_eq!(topo.subtree(&topo.by_code("540000").unwrap().id).len(), 1 + 10 + 100);
    }

    /// A county four levels down gets a certificate whose chain (nation,
    /// province CA, prefecture CA) passes path validation and whose
    /// identity reads back as the county.
    #[test]
    fn a_county_four_levels_down_gets_a_valid_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let paths = ["100000", "100000/540000", "100000/540000/540100", "100000/540000/540100/540102"];
        let ids: Vec<_> = paths.iter().map(|p| crate::id(p)).collect();
        let fed = extranet_node::local::LocalFederation::create(dir.path(), &ids, crate::fast_sync()).unwrap();
        let county = fed.node(&ids[3]).unwrap();
        let tls =
            extranet_certs::TlsMaterial::load(&county.config.tls.root, &county.config.tls.cert, &county.config.tls.key)
                .expect("the county's chain validates under the nation's root");
        assert_eq!(tls.identity(), &extranet_certs::Identity::node(ids[3].clone()));
    }
}
