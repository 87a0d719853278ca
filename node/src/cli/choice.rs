//! One clap value parser for every closed set the command line accepts
//! (`--kind`, `--category`, `--span`, …): it reads the value table of a
//! [`Choice`], offers its values in the help with their Chinese names, and
//! refuses anything else in Chinese, listing what is accepted. The CLI thus
//! parses the domain's own enums, with no mirror enum to keep in step.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;

use crate::domain::Choice;

/// The parser of one set: its values and their Chinese names.
#[derive(Clone)]
pub struct ChoiceParser<T: 'static> {
    choices: &'static [(&'static str, T)],
    zh: fn(T) -> &'static str,
}

/// The parser of a domain [`Choice`]: `#[arg(long, value_parser = choice::<ApplicationKind>())]`.
pub fn choice<T: Choice>() -> ChoiceParser<T> {
    ChoiceParser { choices: T::CHOICES, zh: T::name_zh }
}

impl<T: Copy + 'static> ChoiceParser<T> {
    /// The parser of a set the domain does not own (a certificate kind): its
    /// table and Chinese names given here.
    pub fn new(choices: &'static [(&'static str, T)], zh: fn(T) -> &'static str) -> Self {
        ChoiceParser { choices, zh }
    }

    /// Every accepted value with its Chinese name, as an error lists them.
    fn accepted(&self) -> String {
        self.choices.iter().map(|(v, x)| format!("{v}（{}）", (self.zh)(*x))).collect::<Vec<_>>().join("、")
    }

    /// The variant `value` names, or the Chinese refusal naming `flag`.
    pub fn parse_str(&self, flag: &str, value: &str) -> Result<T, String> {
        self.choices
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, x)| *x)
            .ok_or_else(|| format!("{flag} 的值 “{value}” 无效，应为以下之一：{}", self.accepted()))
    }
}

impl<T: Copy + Send + Sync + 'static> TypedValueParser for ChoiceParser<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let flag = arg.map_or_else(
            || "参数".to_string(),
            |a| a.get_long().map_or_else(|| a.get_id().to_string(), |l| format!("--{l}")),
        );
        self.parse_str(&flag, &value.to_string_lossy())
            .map_err(|msg| clap::Error::raw(ErrorKind::InvalidValue, format!("{msg}\n")).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.choices.iter().map(|(v, x)| PossibleValue::new(*v).help((self.zh)(*x)))))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::domain::{AccessSpan, AppState, ApplicationKind, UnitCategory};

    #[derive(Parser, Debug)]
    struct Probe {
        #[arg(long, value_parser = choice::<ApplicationKind>())]
        kind: ApplicationKind,
        #[arg(long, value_parser = choice::<AccessSpan>(), default_value = "local")]
        span: AccessSpan,
        #[arg(long, value_parser = choice::<AppState>())]
        state: Option<AppState>,
    }

    fn each_value_parses<T: Choice + std::fmt::Debug>() {
        let p = choice::<T>();
        assert!(!T::CHOICES.is_empty());
        for (v, x) in T::CHOICES {
            assert_eq!(p.parse_str("--x", v), Ok(*x), "{v}");
            assert_eq!(x.value(), *v);
            assert_eq!(T::from_value(v), Some(*x));
        }
    }

    #[test]
    fn every_value_of_every_set_is_accepted() {
        each_value_parses::<ApplicationKind>();
        each_value_parses::<AccessSpan>();
        each_value_parses::<AppState>();
        each_value_parses::<UnitCategory>();
        each_value_parses::<crate::domain::UnitStatus>();
        each_value_parses::<crate::domain::access::ResourceSubject>();
        each_value_parses::<crate::domain::ipam::Purpose>();
        let p = Probe::try_parse_from(["x", "--kind", "resource-change", "--state", "under-review"]).unwrap();
        assert_eq!(
            (p.kind, p.span, p.state),
            (ApplicationKind::ResourceChange, AccessSpan::Local, Some(AppState::UnderReview))
        );
        let p = Probe::try_parse_from(["x", "--kind", "new", "--span", "prefecture"]).unwrap();
        assert_eq!(p.span, AccessSpan::PrefectureAndBelow);
    }

    #[test]
    fn an_unknown_value_is_refused_in_chinese_listing_the_accepted_ones() {
        let e = Probe::try_parse_from(["x", "--kind", "renew"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        let msg = e.to_string();
        assert!(msg.contains("--kind 的值 “renew” 无效，应为以下之一："), "{msg}");
        for (v, k) in ApplicationKind::CHOICES {
            assert!(msg.contains(&format!("{v}（{}）", k.zh())), "{v} missing from {msg}");
        }
        // Values are matched exactly, as clap's own enums were.
        assert!(Probe::try_parse_from(["x", "--kind", "NEW"]).is_err());
        assert!(Probe::try_parse_from(["x", "--kind", "new", "--span", "prefecture-and-below"]).is_err());
    }

    #[test]
    fn help_offers_each_value_with_its_chinese_name() {
        use clap::CommandFactory;
        let help = Probe::command().render_long_help().to_string();
        for (v, k) in ApplicationKind::CHOICES {
            let line = help.lines().find(|l| l.trim_start().starts_with(&format!("- {v}:")));
            assert!(line.is_some_and(|l| l.ends_with(k.zh())), "{v} missing from {help}");
        }
        assert!(help.contains("[default: local]"), "{help}");
        let categories = choice::<UnitCategory>().possible_values().unwrap().count();
        assert_eq!(categories, UnitCategory::CHOICES.len());
    }
}
