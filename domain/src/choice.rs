//! The closed sets people pick from (a unit's category, an application's
//! kind, …): each enum lists once the ASCII value that names each variant,
//! so the command line, its help and its error messages are built from that
//! one table and the Chinese names the domain already gives, instead of a
//! mirror enum per front end.

/// An enum whose variants are chosen by name: by a stable ASCII value where
/// one is typed (`--kind resource-change`), by its Chinese name where one is
/// shown.
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    /// Every variant with the value that names it, in the order offered.
    const CHOICES: &'static [(&'static str, Self)];

    /// The Chinese name shown to people.
    fn name_zh(self) -> &'static str;

    /// The value naming `self`.
    fn value(self) -> &'static str;

    /// The variant `value` names, if any.
    fn from_value(value: &str) -> Option<Self> {
        Self::CHOICES.iter().find(|(v, _)| *v == value).map(|(_, x)| *x)
    }
}

/// Implements [`Choice`] from one table `Type { Variant = "value", … }`,
/// with the type's own `zh()` as the Chinese name. `value()` is a match
/// over the same table, so a variant left out of it does not compile.
#[macro_export]
macro_rules! choices {
    ($t:ty { $($variant:ident = $value:literal),+ $(,)? }) => {
        impl $crate::choice::Choice for $t {
            const CHOICES: &'static [(&'static str, Self)] = &[$(($value, Self::$variant)),+];

            fn name_zh(self) -> &'static str {
                <$t>::zh(self)
            }

            fn value(self) -> &'static str {
                match self {
                    $(Self::$variant => $value),+
                }
            }
        }
    };
}
