//! Just enough of a Rust lexer to read module paths: identifiers and
//! punctuation with their line numbers, comments, strings, characters and
//! lifetimes dropped, so a path in a doc comment or an error message is not
//! mistaken for a reference.

/// One token: an identifier or keyword, or one punctuation mark (`::` is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    pub text: String,
    pub line: usize,
}

impl Tok {
    pub fn is(&self, s: &str) -> bool {
        self.text == s
    }

    pub fn is_ident(&self) -> bool {
        self.text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
    }
}

/// The tokens of `src`.
pub fn lex(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    while i < c.len() {
        let ch = c[i];
        if let Some(end) = skipped(&c, i) {
            line += c[i..end.min(c.len())].iter().filter(|&&x| x == '\n').count();
            i = end;
        } else if ch.is_ascii_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            if ch.is_ascii_alphabetic() || ch == '_' {
                out.push(Tok { text: c[start..i].iter().collect(), line });
            }
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(Tok { text: "::".into(), line });
            i += 2;
        } else {
            out.push(Tok { text: ch.to_string(), line });
            i += 1;
        }
    }
    out
}

/// If what starts at `i` is no token (blank, comment, string, character,
/// lifetime), the index after it.
fn skipped(c: &[char], mut i: usize) -> Option<usize> {
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ch = c[i];
    if ch.is_whitespace() {
        return Some(i + 1);
    }
    if ch == '/' && at(i + 1) == '/' {
        return Some(c[i..].iter().position(|&x| x == '\n').map_or(c.len(), |n| i + n));
    }
    if ch == '/' && at(i + 1) == '*' {
        let mut depth = 0;
        while i < c.len() {
            if c[i] == '/' && at(i + 1) == '*' {
                depth += 1;
                i += 2;
            } else if c[i] == '*' && at(i + 1) == '/' {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    break;
                }
            } else {
                i += 1;
            }
        }
        return Some(i);
    }
    if let Some(end) = raw_string_end(c, i) {
        return Some(end);
    }
    if ch == '"' || (ch == 'b' && at(i + 1) == '"') {
        i += if ch == 'b' { 2 } else { 1 };
        while i < c.len() && c[i] != '"' {
            i += if c[i] == '\\' { 2 } else { 1 };
        }
        return Some(i + 1);
    }
    if ch == '\'' || (ch == 'b' && at(i + 1) == '\'') {
        i += usize::from(ch == 'b');
        if at(i + 1) == '\\' {
            return Some(c[i + 2..].iter().position(|&x| x == '\'').map_or(c.len(), |n| i + 2 + n + 1));
        }
        if at(i + 2) == '\'' {
            return Some(i + 3);
        }
        i += 1; // a lifetime (`'static` is no `static` item)
        while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
            i += 1;
        }
        return Some(i);
    }
    None
}

/// If a raw string (`r"…"`, `r#"…"#`, `br#"…"#`) starts at `i`, the index after it.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if c.get(j) == Some(&'b') {
        j += 1;
    }
    if c.get(j) != Some(&'r') || (i > 0 && (c[i - 1].is_ascii_alphanumeric() || c[i - 1] == '_')) {
        return None;
    }
    j += 1;
    let hashes = c[j..].iter().take_while(|&&x| x == '#').count();
    j += hashes;
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"' && c[j + 1..].iter().take(hashes).filter(|&&x| x == '#').count() == hashes {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

#[test]
fn comments_strings_and_characters_are_not_tokens() {
    let src = "use crate::a; // crate::b\n/* crate::c */ let s = \"crate::d\"; let r = r#\"crate::e\"#;\n\
               let q = '\"'; fn f<'a>(x: &'a str) -> &'static str { crate::g::h() }";
    let words: Vec<String> = lex(src).into_iter().filter(Tok::is_ident).map(|t| t.text).collect();
    assert!(!words.iter().any(|w| ["b", "c", "d", "e"].contains(&w.as_str())), "{words:?}");
    assert!(words.contains(&"g".to_string()) && words.contains(&"a".to_string()), "{words:?}");
    assert!(!words.contains(&"static".to_string()), "a lifetime is no keyword: {words:?}");
    let g = lex(src).into_iter().find(|t| t.is("g")).expect("g");
    assert_eq!(g.line, 3, "lines are counted");
}
