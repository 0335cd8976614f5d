//! Generated tokens as formatted Rust source. Formatting is most of codegen's time on a large
//! spec, and an edit to the spec changes few of the items generated, so each top-level item is
//! formatted on its own, remembered by a digest of its exact source text, and formatted again
//! only when that text is new; `cargo xtask codegen` keeps what it formatted in the build
//! directory.

use std::collections::HashMap;
use std::fmt::Write;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Items already formatted, by a digest of their source text as the token stream prints it.
///
/// The formatted text of an item is a function of that source text alone: a miss formats the
/// text itself (never the tokens it came from), so a hit returns exactly what formatting would.
#[derive(Default)]
pub struct Cache {
    state: Mutex<State>,
}

/// 128 bits of an item's source text. Two texts of one generated file that share a digest by
/// chance are as unlikely as any two of the 2^128 values drawn alike; keying by digests rather
/// than by the texts, megabytes in all on a large spec, keeps the file and its reading small.
type Digest = u128;

type Map = HashMap<Digest, Arc<str>, foldhash::fast::FixedState>;

/// The digest of an item's text: two 64-bit hashes under different fixed seeds, fixed so that
/// a digest means the same in the next run.
fn digest(text: &str) -> Digest {
    let high = foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).hash_one(text);
    let low = foldhash::quality::FixedState::with_seed(0x1319_8a2e_0370_7344).hash_one(text);
    (u128::from(high) << 64) | u128::from(low)
}

#[derive(Default)]
struct State {
    /// As loaded: what earlier runs formatted.
    earlier: Map,
    /// What this run has needed, found or formatted: what `save` keeps.
    used: Map,
    /// Whether `used` differs from what was loaded, so that the file needs writing.
    changed: bool,
}

/// The first line of a cache file: a file that does not start with it is not read.
const MAGIC: &str = "authapi xtask format cache 2";

impl Cache {
    /// The cache kept at `path` by the generator that is running now; empty when the file is
    /// missing, unreadable, or written by another build of the generator (whose formatting may
    /// differ).
    pub fn load(path: &Path) -> Cache {
        let earlier = std::fs::read(path)
            .ok()
            .and_then(|bytes| decode(&bytes))
            .unwrap_or_default();
        Cache {
            state: Mutex::new(State {
                earlier,
                ..State::default()
            }),
        }
    }

    /// Keeps what this run used at `path`, for the next run; does nothing when that is what
    /// was loaded. Written beside and renamed, so that a reader never sees half a file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let unused = !state.earlier.is_empty();
        if !state.changed && !unused {
            return Ok(());
        }
        let Some(version) = generator_version() else {
            return Ok(());
        };
        let mut out = Vec::new();
        out.extend_from_slice(format!("{MAGIC}\n{version}\n").as_bytes());
        for (key, value) in &state.used {
            out.extend_from_slice(format!("{key:032x} {}\n", value.len()).as_bytes());
            out.extend_from_slice(value.as_bytes());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, out)?;
        std::fs::rename(&partial, path)
    }
}

/// What identifies the running generator: its executable's path, size and modification time.
/// Any rebuild changes it, so a cache never outlives the formatter that filled it.
fn generator_version() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!(
        "{} {} {}",
        exe.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

fn decode(bytes: &[u8]) -> Option<Map> {
    let text = std::str::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix(MAGIC)?.strip_prefix('\n')?;
    let (version, mut rest) = rest.split_once('\n')?;
    if Some(version) != generator_version().as_deref() {
        return None;
    }
    let mut entries = Map::default();
    while !rest.is_empty() {
        let (line, after) = rest.split_once('\n')?;
        let (key, value_len) = line.split_once(' ')?;
        let key = Digest::from_str_radix(key, 16).ok()?;
        let value_len: usize = value_len.parse().ok()?;
        entries.insert(key, Arc::from(after.get(..value_len)?));
        rest = &after[value_len..];
    }
    Some(entries)
}

/// `tokens` (a whole file's items) pretty-printed as prettyplease prints the file, or, when
/// they do not split into items that parse on their own, their source text whole: the caller
/// then formats the file whole, which also says why it does not parse.
pub fn items(tokens: TokenStream, cache: &Cache) -> Result<String, String> {
    let texts: Vec<String> = split(tokens)
        .into_iter()
        .map(|item| {
            let mut text = String::new();
            source(item, &mut text);
            text
        })
        .collect();
    let keys: Vec<Digest> = texts.iter().map(|text| digest(text)).collect();
    let mut found: Vec<Option<Arc<str>>> = {
        let mut state = cache.state.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().map(|&key| state.find(key)).collect()
    };
    let missing: Vec<usize> = (0..texts.len()).filter(|&i| found[i].is_none()).collect();
    let Some(formatted) = format_all(missing.iter().map(|&i| texts[i].as_str()).collect()) else {
        return Err(texts.concat());
    };
    {
        let mut state = cache.state.lock().unwrap_or_else(|e| e.into_inner());
        for (&i, formatted) in missing.iter().zip(formatted) {
            let formatted: Arc<str> = formatted.into();
            state.used.insert(keys[i], formatted.clone());
            state.changed = true;
            found[i] = Some(formatted);
        }
    }
    let found: Vec<Arc<str>> = found.into_iter().flatten().collect();
    let mut out = String::with_capacity(found.iter().map(|f| f.len()).sum());
    found.iter().for_each(|f| out.push_str(f));
    Ok(out)
}

impl State {
    /// The formatted text of the item whose text has digest `key`, when an earlier run or
    /// this one formatted it.
    fn find(&mut self, key: Digest) -> Option<Arc<str>> {
        if let Some(formatted) = self.used.get(&key) {
            return Some(formatted.clone());
        }
        let formatted = self.earlier.remove(&key)?;
        self.used.insert(key, formatted.clone());
        Some(formatted)
    }
}

/// Appends the source text of `tokens` to `out`, as the parser reads it back: each token and
/// a space, but a punctuation mark joined to the next one with nothing between. It takes the
/// tokens, so that a group's tokens are read where they are rather than copied: a group lends
/// them only as a shared list, which reading would copy while the group holds it.
///
/// A group without delimiters shows as its tokens alone, as proc-macro2 prints it; none of
/// the generators make one. So parsing the text gives the tree that parsing the tokens gives.
fn source(tokens: TokenStream, out: &mut String) {
    for token in tokens {
        match token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                let inner = group.stream();
                drop(group);
                out.push_str(open);
                source(inner, out);
                out.push_str(close);
                out.push(' ');
            }
            TokenTree::Ident(ident) => {
                let _ = write!(out, "{ident} ");
            }
            TokenTree::Punct(punct) => {
                out.push(punct.as_char());
                if punct.spacing() == Spacing::Alone {
                    out.push(' ');
                }
            }
            TokenTree::Literal(literal) => {
                let _ = write!(out, "{literal} ");
            }
        }
    }
}

/// Formats each item's source text, on as many threads as the machine offers: the items are
/// independent, and on a cold cache they are the whole file.
fn format_all(texts: Vec<&str>) -> Option<Vec<String>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Threads are not worth starting for the few items an edit changes.
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    if threads < 2 || bytes < 200_000 {
        return texts.into_iter().map(format_one).collect();
    }
    // Contiguous shares of about equal size keep the results in order.
    let share = bytes.div_ceil(threads);
    let mut shares: Vec<Vec<&str>> = vec![Vec::new()];
    let mut size = 0;
    for text in texts {
        if size >= share {
            shares.push(Vec::new());
            size = 0;
        }
        size += text.len();
        shares.last_mut()?.push(text);
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    share
                        .into_iter()
                        .map(format_one)
                        .collect::<Option<Vec<_>>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for worker in workers {
            out.extend(worker.join().ok()??);
        }
        Some(out)
    })
}

/// One item, or a few, from their source text.
fn format_one(text: &str) -> Option<String> {
    let file = syn::parse_file(text).ok()?;
    Some(prettyplease::unparse(&file))
}

/// Item keywords, any of which may start an item after one has ended.
const STARTS: &[&str] = &[
    "pub",
    "fn",
    "struct",
    "enum",
    "union",
    "impl",
    "trait",
    "mod",
    "use",
    "const",
    "static",
    "type",
    "extern",
    "unsafe",
    "async",
    "macro_rules",
];

/// The top-level items of `tokens`, each with its attributes. An item ends with `;` or a brace
/// group, and the next starts with an attribute or an item keyword; the rare item where such
/// a place falls inside (a const whose value is a braced struct) stays whole, because what
/// follows its brace is `;`. A wrong cut would leave a piece that does not parse.
fn split(tokens: TokenStream) -> Vec<TokenStream> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut ended = false;
    for token in tokens {
        let starts = match &token {
            TokenTree::Punct(p) => p.as_char() == '#',
            TokenTree::Ident(i) => STARTS.iter().any(|k| i == k),
            _ => false,
        };
        if ended && starts {
            items.push(current.drain(..).collect());
        }
        ended = match &token {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            _ => false,
        };
        current.push(token);
    }
    if !current.is_empty() {
        items.push(current.into_iter().collect());
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;
    use quote::quote;

    /// Items of the shapes the generators write, and some that end where an item may not.
    fn file() -> TokenStream {
        quote! {
            #![allow(dead_code)]
            use std::fmt;
            #[doc = " A struct."]
            #[derive(Debug)]
            pub struct A<'a> { x: &'a str }
            pub struct Unit;
            const B: A<'static> = A { x: "b" };
            impl<'a> fmt::Display for A<'a> {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, "{} {}", -1i64, self.x)
                }
            }
            pub mod m { pub fn f() -> Vec<u8> { vec![1, 2] } }
            const C: u8 = if true { 1 } else { 2 };
            macro_rules! m { () => {}; }
            pub type T = fn(u8) -> u8;
        }
    }

    fn whole(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
    }

    #[test]
    fn items_format_as_their_file_does_whether_found_or_not() {
        let cache = Cache::default();
        assert_eq!(items(file(), &cache).unwrap(), whole(file()));
        assert_eq!(items(file(), &cache).unwrap(), whole(file()));
    }

    #[test]
    fn each_top_level_item_is_a_piece_of_its_own() {
        let whole: syn::File = syn::parse2(file()).unwrap();
        let pieces = split(file());
        assert_eq!(pieces.len(), whole.items.len());
        for piece in pieces {
            let items = syn::parse2::<syn::File>(piece.clone()).unwrap().items;
            assert_eq!(items.len(), 1, "{piece}");
        }
    }

    #[test]
    fn each_half_of_a_digest_tells_texts_apart() {
        let texts = ["pub struct A;", "pub struct B;", "pub struct A ;", ""];
        let digests: Vec<Digest> = texts.iter().map(|t| digest(t)).collect();
        for (i, a) in digests.iter().enumerate() {
            for b in &digests[i + 1..] {
                assert_ne!(a >> 64, b >> 64);
                assert_ne!(*a as u64, *b as u64);
            }
        }
        assert_eq!(digest("pub struct A;"), digests[0]);
    }

    #[test]
    fn tokens_that_do_not_parse_come_back_whole() {
        let text = items(quote! { pub struct A; impl }, &Cache::default()).unwrap_err();
        assert!(syn::parse_file(&text).is_err());
    }

    /// Many items, more source text than one thread is given.
    fn large_file() -> TokenStream {
        let items = (0..2_000).map(|i| {
            let name = quote::format_ident!("Item{i}");
            quote! {
                #[derive(Debug, Clone)]
                pub struct #name { pub value: Option<Vec<u64>>, pub label: String }
                impl #name { pub fn doubled(&self) -> usize { self.label.len() * 2 + #i } }
            }
        });
        quote! { #(#items)* }
    }

    #[test]
    fn a_large_file_formats_across_threads_in_order() {
        let tokens = large_file();
        let mut text = String::new();
        source(tokens.clone(), &mut text);
        assert!(text.len() >= 200_000, "{} bytes", text.len());
        assert_eq!(
            items(tokens.clone(), &Cache::default()).unwrap(),
            whole(tokens)
        );
    }

    #[test]
    fn a_saved_cache_is_read_back_and_a_foreign_one_is_not() {
        let dir = TempDir::new("format-cache").unwrap();
        let path = dir.path().join("cache");
        let cache = Cache::default();
        items(file(), &cache).unwrap();
        cache.save(&path).unwrap();
        let loaded = Cache::load(&path);
        assert_eq!(
            loaded.state.lock().unwrap().earlier,
            cache.state.lock().unwrap().used
        );
        // Read back, every item is found: nothing is formatted, and nothing is written again.
        assert_eq!(items(file(), &loaded).unwrap(), whole(file()));
        assert!(!loaded.state.lock().unwrap().changed);
        let again = dir.path().join("again");
        loaded.save(&again).unwrap();
        assert!(!again.exists());

        let text = std::fs::read_to_string(&path).unwrap();
        let version = text.lines().nth(1).unwrap();
        let exe = std::env::current_exe().unwrap();
        assert!(
            version.starts_with(&format!("{} ", exe.display())),
            "{version}"
        );
        std::fs::write(&path, text.replacen(version, "an older generator", 1)).unwrap();
        assert!(Cache::load(&path).state.lock().unwrap().earlier.is_empty());
        std::fs::write(&path, text.replacen(MAGIC, "another format cache", 1)).unwrap();
        assert!(Cache::load(&path).state.lock().unwrap().earlier.is_empty());
    }

    #[test]
    fn a_saved_cache_keeps_only_what_its_run_used() {
        let dir = TempDir::new("format-cache-used").unwrap();
        let path = dir.path().join("cache");
        let cache = Cache::default();
        items(file(), &cache).unwrap();
        cache.save(&path).unwrap();
        let smaller = quote! { pub struct Unit; };
        let loaded = Cache::load(&path);
        items(smaller.clone(), &loaded).unwrap();
        assert!(!loaded.state.lock().unwrap().changed);
        loaded.save(&path).unwrap();
        let kept = Cache::load(&path).state.into_inner().unwrap().earlier;
        let mut text = String::new();
        source(smaller, &mut text);
        assert_eq!(kept.keys().collect::<Vec<_>>(), [&digest(&text)]);
        assert_eq!(&*kept[&digest(&text)], "pub struct Unit;\n");
    }
}
