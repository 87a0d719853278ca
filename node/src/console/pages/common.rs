//! What several pages show the same way: a working-day deadline with the
//! days left or late, and the calendar in force it is counted on.

use chrono::NaiveDate;
use maud::{Markup, html};

use crate::calendar::WorkCalendar;
use crate::console::failure::Failure;
use crate::console::state::Console;

/// A working-day deadline as people read it: the date, and
/// "还剩 N 个工作日" or "已逾期 N 个工作日".
pub fn due(cal: &WorkCalendar, today: NaiveDate, due: &str, mark: &str) -> Markup {
    let Ok(d) = due.parse::<NaiveDate>() else { return html! { (due) } };
    let (class, text) = match cal.working_days_between(today, d) {
        n if n < 0 => ("late", format!("已逾期 {} 个工作日", -n)),
        0 => ("soon", "今天到期".to_string()),
        n if n <= 2 => ("soon", format!("还剩 {n} 个工作日")),
        n => ("", format!("还剩 {n} 个工作日")),
    };
    html! { (d) (mark) " " span class=(class) { "（" (text) "）" } }
}

/// The node's calendar in force.
pub fn calendar_of(console: &Console) -> Result<std::sync::Arc<WorkCalendar>, Failure> {
    Ok(console.store().calendar()?)
}
