//! Faster `pattern` checks in the generated types. typify checks a string's `pattern` with the
//! `regress` engine, a backtracking matcher that costs about a thousand instructions for a
//! 32-character id, on every id a server parses. Most id and code patterns are a fixed run of
//! character sets between `^` and `$` (`^[0-7][0-9a-z]{31}$`); the generated types get a small
//! `pattern` module that checks those set by set, and hands every other pattern to `regress`
//! as before. typify's code names `::regress::Regex`; it is pointed at that module instead.
//!
//! typify checks `minLength` and `maxLength` by counting a string's characters, once per bound;
//! an ASCII string's characters are its bytes, which a word-at-a-time check confirms in a
//! fraction of the count's time, so each count looks at that first.

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};
use quote::quote;

/// `tokens` with typify's `::regress::Regex` replaced by the generated `pattern` module's
/// `Pattern`, which the tokens then end with (they gain no module when no pattern is
/// checked), and each `value.chars().count()` counting an ASCII value by its length.
pub fn faster(tokens: TokenStream) -> TokenStream {
    let (mut tokens, replaced) = rewrite(tokens);
    if replaced {
        tokens.extend(module());
    }
    tokens
}

/// Replaces each `:: regress :: Regex` path in `tokens` (groups included) with
/// `self :: pattern :: Pattern`, and says whether there was one; and each
/// `value.chars().count()` with a count that takes an ASCII value's length.
fn rewrite(tokens: TokenStream) -> (TokenStream, bool) {
    let mut out: Vec<TokenTree> = Vec::new();
    let mut replaced = false;
    for token in tokens {
        let token = match token {
            TokenTree::Group(group) => {
                let (inner, found) = rewrite(group.stream());
                replaced |= found;
                let mut copy = Group::new(group.delimiter(), inner);
                copy.set_span(group.span());
                TokenTree::Group(copy)
            }
            other => other,
        };
        out.push(token);
        if ends_regress_path(&out) {
            out.truncate(out.len() - 6);
            out.extend(quote!(self::pattern::Pattern));
            replaced = true;
        }
        if let Some(value) = ends_char_count(&out) {
            out.truncate(out.len() - 7);
            out.extend(quote! {
                (if #value.is_ascii() { #value.len() } else { #value.chars().count() })
            });
        }
    }
    (out.into_iter().collect(), replaced)
}

/// The variable when `tokens` ends with `value.chars().count()`, a variable's and not a
/// field's (`a.value.chars()`).
fn ends_char_count(tokens: &[TokenTree]) -> Option<proc_macro2::Ident> {
    let start = tokens.len().checked_sub(7)?;
    let tail = &tokens[start..];
    let dot = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == '.');
    let ident = |t: &TokenTree, name: &str| matches!(t, TokenTree::Ident(i) if i == name);
    let no_args = |t: &TokenTree| {
        matches!(t, TokenTree::Group(g)
            if g.delimiter() == Delimiter::Parenthesis && g.stream().is_empty())
    };
    let TokenTree::Ident(value) = &tail[0] else {
        return None;
    };
    let shape = dot(&tail[1])
        && ident(&tail[2], "chars")
        && no_args(&tail[3])
        && dot(&tail[4])
        && ident(&tail[5], "count")
        && no_args(&tail[6]);
    let field = start > 0 && dot(&tokens[start - 1]);
    (shape && !field).then(|| value.clone())
}

/// Whether `tokens` ends with `:: regress :: Regex`.
fn ends_regress_path(tokens: &[TokenTree]) -> bool {
    let Some(tail) = tokens.len().checked_sub(6).map(|start| &tokens[start..]) else {
        return false;
    };
    let colons = |a: &TokenTree, b: &TokenTree| {
        matches!((a, b), (TokenTree::Punct(a), TokenTree::Punct(b))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
    };
    let ident = |t: &TokenTree, name: &str| matches!(t, TokenTree::Ident(i) if i == name);
    colons(&tail[0], &tail[1])
        && ident(&tail[2], "regress")
        && colons(&tail[3], &tail[4])
        && ident(&tail[5], "Regex")
}

/// The generated `pattern` module.
fn module() -> TokenStream {
    let body = quote! {
        /// A fixed run of ASCII character sets, each repeated a fixed number of times: each
        /// set as a table of the bytes in it, with its count; and the run's length in bytes.
        struct Run {
            sets: ::std::vec::Vec<([bool; 256], usize)>,
            len: usize,
        }

        impl Run {
            /// `pattern` as a run, when it is `^`, sets and literal characters each with an
            /// optional `{n}`, and `$`; `None` for anything else.
            fn read(pattern: &str) -> Option<Run> {
                let mut chars = pattern.strip_prefix('^')?.strip_suffix('$')?.chars().peekable();
                let mut sets = ::std::vec::Vec::new();
                while let Some(c) = chars.next() {
                    let set = match c {
                        '[' => read_set(&mut chars)?,
                        c if c.is_ascii_alphanumeric() || "-_:/@#%&=~,;!'\"<>` ".contains(c) => bit(c),
                        _ => return None,
                    };
                    let count = if chars.peek() == Some(&'{') { read_count(&mut chars)? } else { 1 };
                    let mut table = [false; 256];
                    for (b, slot) in table.iter_mut().enumerate().take(128) {
                        *slot = set & (1u128 << b) != 0;
                    }
                    sets.push((table, count));
                }
                let len = sets.iter().map(|(_, count)| count).sum();
                Some(Run { sets, len })
            }

            /// Every set is ASCII, so a match has exactly one byte per character. Every byte
            /// is looked up, with no branch per byte: values are short, and most match.
            fn matches(&self, value: &str) -> bool {
                let bytes = value.as_bytes();
                if bytes.len() != self.len {
                    return false;
                }
                let mut at = 0;
                let mut all = true;
                for (set, count) in &self.sets {
                    let end = at + count;
                    all &= bytes[at..end].iter().fold(true, |all, &b| all & set[usize::from(b)]);
                    at = end;
                }
                all
            }
        }

        type Chars<'a> = ::std::iter::Peekable<::std::str::Chars<'a>>;

        /// The ASCII characters of a set after its `[`, up to its `]`: single characters and
        /// ranges, with no escape, no negation and no `[` inside; `None` for anything else.
        fn read_set(chars: &mut Chars<'_>) -> Option<u128> {
            let mut set = 0u128;
            let mut first = true;
            loop {
                let c = chars.next()?;
                if c == ']' {
                    // `[]` is a set of nothing, left to regress.
                    return (!first).then_some(set);
                }
                if !plain(c) || (first && c == '^') {
                    return None;
                }
                first = false;
                if chars.next_if_eq(&'-').is_none() {
                    set |= bit(c);
                } else if chars.peek() == Some(&']') {
                    set |= bit(c) | bit('-');
                } else {
                    let end = chars.next().filter(|&end| plain(end) && end >= c)?;
                    (c..=end).for_each(|x| set |= bit(x));
                }
            }
        }

        /// A set's character: ASCII, not an escape and not a nested set.
        fn plain(c: char) -> bool {
            c.is_ascii() && c != '\\' && c != '['
        }

        /// The count of `{n}`, after its `{`.
        fn read_count(chars: &mut Chars<'_>) -> Option<usize> {
            chars.next();
            let mut digits = ::std::string::String::new();
            loop {
                match chars.next()? {
                    '}' => return digits.parse().ok(),
                    d if d.is_ascii_digit() && digits.len() < 4 => digits.push(d),
                    _ => return None,
                }
            }
        }

        fn bit(c: char) -> u128 {
            1u128 << (c as u32 & 127)
        }

        /// A string pattern of the spec: checked as a [`Run`] when it is one, else by `regress`.
        pub struct Pattern {
            run: ::std::option::Option<Run>,
            regex: ::std::option::Option<::regress::Regex>,
        }

        impl Pattern {
            pub fn new(pattern: &str) -> ::std::result::Result<Self, ::regress::Error> {
                match Run::read(pattern) {
                    Some(run) => Ok(Pattern { run: Some(run), regex: None }),
                    None => ::regress::Regex::new(pattern).map(|regex| Pattern { run: None, regex: Some(regex) }),
                }
            }

            /// `Some` when `value` matches, as `regress::Regex::find` says.
            pub fn find(&self, value: &str) -> ::std::option::Option<()> {
                match (&self.run, &self.regex) {
                    (Some(run), _) => run.matches(value).then_some(()),
                    (None, Some(regex)) => regex.find(value).map(|_| ()),
                    (None, None) => None,
                }
            }
        }
    };
    quote! {
        /// String patterns of the spec, checked faster than by `regress` alone where they are
        /// a fixed run of character sets (see `cargo xtask codegen`).
        pub mod pattern {
            #body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_regress_path_is_replaced_and_the_module_added_once() {
        let tokens = quote! {
            static P: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| ::regress::Regex::new("^a$").unwrap());
            fn f() -> regress::Regex {}
        };
        let out = faster(tokens).to_string();
        let (items, module) = out.split_once("pub mod pattern").unwrap();
        assert_eq!(items.matches("self :: pattern :: Pattern").count(), 2);
        assert_eq!(items.matches(":: regress :: Regex").count(), 0);
        assert!(module.contains(":: regress :: Regex :: new"));
        assert!(out.contains("fn f () -> regress :: Regex"));
        assert_eq!(out.matches("pub mod pattern").count(), 1);
        let none = faster(quote! { fn g() {} }).to_string();
        assert!(!none.contains("pattern"));
    }

    #[test]
    fn a_variable_s_char_count_takes_an_ascii_value_s_length() {
        let tokens = quote! {
            fn f(value: &str, a: A) -> bool {
                value.chars().count() > 3usize
                    && { value.chars().count() } < 9usize
                    && a.value.chars().count() > 1
                    && value.chars().count(1)
                    && value.chars().rev().count() > 1
            }
        };
        let out = faster(tokens).to_string();
        let fast =
            "(if value . is_ascii () { value . len () } else { value . chars () . count () })";
        assert_eq!(out.matches(fast).count(), 2, "{out}");
        assert!(out.contains("a . value . chars () . count () > 1"), "{out}");
        assert!(out.contains("value . chars () . count (1)"), "{out}");
        assert!(
            out.contains("value . chars () . rev () . count ()"),
            "{out}"
        );
        assert!(!out.contains("pattern"), "{out}");
    }
}
