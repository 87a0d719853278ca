//! The ids records carry, each shape written once.
//!
//! Numbered ids: a record is numbered by the node that made it and shown as
//! `<division code><marker><number, six digits>` (e.g. `540102-A000001`),
//! unique across the federation because division codes are (applications,
//! filings, assignments, requests for space). Text ids: a checked string
//! chosen by people (units, assignees), shown as it is.

use crate::error::{DomainError, Result};

/// Checks the shape of a displayed numbered id: six digits, `marker`, a
/// number; `rule` tells the operator the shape when `key` lacks it.
pub fn check_key(key: &str, marker: &str, rule: &'static str) -> Result<()> {
    let ok = key
        .split_once(marker)
        .is_some_and(|(c, n)| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u64>().is_ok());
    if ok { Ok(()) } else { Err(DomainError::invalid("id", rule)) }
}

/// `key()` and `Display` of a numbered id type `$ty`, whose node is field
/// `$node` and whose number is field `number`, shown with `$marker`; given
/// the `rule` an operator reads for a malformed id, also `check_key()`.
#[macro_export]
macro_rules! numbered_id {
    ($ty:ident, $node:ident, $marker:literal, $rule:literal) => {
        $crate::numbered_id!($ty, $node, $marker);

        impl $ty {
            /// Checks the shape of a displayed id.
            pub fn check_key(key: &str) -> $crate::Result<()> {
                $crate::ids::check_key(key, $marker, $rule)
            }
        }
    };
    ($ty:ident, $node:ident, $marker:literal) => {
        impl $ty {
            /// The display and lookup key (see the type).
            pub fn key(&self) -> String {
                format!(concat!("{}", $marker, "{:06}"), self.$node.code(), self.number)
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.key())
            }
        }
    };
}

/// `as_str()` and `Display` of a text id `$ty(String)`, whose constructor
/// checks the text.
#[macro_export]
macro_rules! text_id {
    ($ty:ident) => {
        impl $ty {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
