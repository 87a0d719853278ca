//! Text for people: Beijing time, ages in Chinese, aligned tables whose
//! columns allow for CJK characters taking two columns.

/// Unix milliseconds as Beijing time, or "—" for none.
pub fn time(ms: i64) -> String {
    crate::calendar::format_ms(ms)
}

/// A duration in seconds as Chinese text.
pub fn age(secs: i64) -> String {
    match secs {
        s if s < 0 => "—".into(),
        s if s < 60 => format!("{s} 秒"),
        s if s < 3600 => format!("{} 分钟", s / 60),
        s if s < 86_400 => format!("{} 小时", s / 3600),
        s => format!("{} 天", s / 86_400),
    }
}

/// Display width of a string (CJK characters take two columns).
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

/// Prints rows as an aligned table with a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(c));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            out.push_str(c);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}
