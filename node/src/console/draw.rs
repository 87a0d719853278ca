//! Pictures drawn on the server as inline SVG, where people would rather
//! look than read: a utilisation bar, a timeline of steps (a filing's
//! receipts, an application's history), a health dot.

use maud::{Markup, html};

/// A utilisation bar filled to `share` (0–1), with `label` beside it:
/// green, orange from 70%, red from 90% (a pool running out).
pub fn bar(share: f64, label: &str) -> Markup {
    let colour = match share {
        s if s >= 0.9 => "#c92a2a",
        s if s >= 0.7 => "#e8590c",
        _ => "#2f9e44",
    };
    filled(share, label, colour)
}

/// A share where more is better (e.g. the IPv6 share, Art.6): one colour.
pub fn meter(share: f64, label: &str) -> Markup {
    filled(share, label, "#1c5d99")
}

fn filled(share: f64, label: &str, colour: &str) -> Markup {
    let share = if share.is_finite() { share.clamp(0.0, 1.0) } else { 0.0 };
    let width = 200.0;
    let fill = (share * width).max(if share > 0.0 { 2.0 } else { 0.0 });
    html! {
        svg width="320" height="18" viewBox="0 0 320 18" role="img" aria-label=(label) {
            rect x="0" y="2" width=(width) height="14" rx="3" fill="#e9ecef" {}
            rect x="0" y="2" width=(format!("{fill:.1}")) height="14" rx="3" fill=(colour) {}
            text x=(width + 8.0) y="14" font-size="12" fill="#1f2933" { (label) }
        }
    }
}

/// One step of a timeline.
pub struct Step {
    /// What happened (or is awaited), e.g. the node that gave a receipt.
    pub label: String,
    /// When, as text ("—" when not yet).
    pub when: String,
    /// Whether it has happened.
    pub done: bool,
}

/// Steps left to right, done ones filled, awaited ones hollow.
pub fn timeline(steps: &[Step]) -> Markup {
    let gap = 190.0;
    let width = 40.0 + gap * (steps.len().max(1) as f64 - 1.0) + 150.0;
    html! {
        svg.timeline width=(format!("{width:.0}")) height="78" viewBox=(format!("0 0 {width:.0} 78")) role="img" aria-label="时间线" {
            @if steps.len() > 1 {
                line x1="20" y1="22" x2=(format!("{:.0}", 20.0 + gap * (steps.len() as f64 - 1.0))) y2="22" stroke="#bcccdc" stroke-width="2" {}
            }
            @for (i, s) in steps.iter().enumerate() {
                @let x = 20.0 + gap * i as f64;
                circle cx=(format!("{x:.0}")) cy="22" r="9"
                    fill=(if s.done { "#2f9e44" } else { "#fff" }) stroke=(if s.done { "#2f9e44" } else { "#868e96" }) stroke-width="2" {}
                text x=(format!("{:.0}", x - 12.0)) y="50" font-size="13" fill="#1f2933" { (s.label) }
                text x=(format!("{:.0}", x - 12.0)) y="68" font-size="12" fill="#616e7c" { (s.when) }
            }
        }
    }
}

/// A coloured dot for a node's health: green ok, red stale, grey never.
pub fn health_dot(class: &str) -> Markup {
    let fill = match class {
        "ok" => "#2f9e44",
        "stale" => "#c92a2a",
        _ => "#868e96",
    };
    html! { svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" { circle cx="6" cy="6" r="5" fill=(fill) {} } }
}

/// A bar split into coloured parts (share 0–1, colour, name), with a legend.
pub fn stacked(parts: &[(f64, &str, &str)]) -> Markup {
    let width = 480.0;
    let mut x = 0.0;
    let mut rects = Vec::new();
    for (share, colour, name) in parts {
        let w = if share.is_finite() { share.clamp(0.0, 1.0) * width } else { 0.0 };
        rects.push((x, w, *colour, *name, *share));
        x += w;
    }
    html! {
        svg width=(width + 10.0) height="44" viewBox=(format!("0 0 {} 44", width + 10.0)) role="img" aria-label="地址池使用情况" {
            rect x="0" y="2" width=(width) height="16" rx="3" fill="#e9ecef" {}
            @for (x, w, colour, _, _) in &rects { rect x=(format!("{x:.1}")) y="2" width=(format!("{w:.1}")) height="16" fill=(colour) {} }
            @for (i, (_, _, colour, name, share)) in rects.iter().enumerate() {
                @let lx = 120.0 * i as f64;
                rect x=(lx) y="28" width="10" height="10" fill=(colour) {}
                text x=(lx + 14.0) y="37" font-size="12" fill="#1f2933" { (name) " " (format!("{:.1}%", share * 100.0)) }
            }
        }
    }
}
