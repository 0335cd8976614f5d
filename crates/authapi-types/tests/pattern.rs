//! The generated `pattern` module answers as `regress` does, for the patterns it checks itself
//! and for those it hands on: the spec's patterns are ECMAScript regular expressions.

use authapi_types::pattern::Pattern;

const PATTERNS: &[&str] = &[
    "^[0-7][0-9abcdefghjkmnpqrstvwxyz]{31}$",
    "^[A-Z]{2}$",
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    "^ab[c-e]x{3}$",
    "^[a-]{2}$",
    "^[-z]$",
    "^[.^]{2}$",
    "^a{0}b$",
    // Handed on to regress: unanchored, variable counts, escapes, alternation, negation.
    "[0-9]{3}",
    "^[0-9]{3}",
    "^[a-z]{1,3}[a-c]$",
    "^[a-z]+$",
    "^\\d{4}$",
    "^(ab|cd)$",
    "^[^0-9]{2}$",
    "^[]a]$",
    "^a.c$",
];

const VALUES: &[&str] = &[
    "",
    "a",
    "ab",
    "abc",
    "abcxxx",
    "abdxxx",
    "abfxxx",
    "abcxx",
    "abcxxxx",
    "US",
    "us",
    "USA",
    "--",
    "a-",
    "z",
    "-",
    ".^",
    "b",
    "123",
    "1234",
    "x123y",
    "cd",
    "a]",
    "abc\n",
    "é",
    "Ü1",
    "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
    "813xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
    "013xrzp12g3nqk8nyvk0xwzcb2gzp8zi",
    "013xrzp12g3nqk8nyvk0xwzcb2gzp8z",
    "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1\n",
    "0é3xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
    "123e4567-e89b-12d3-a456-426614174000",
    "123e4567-e89b-12d3-a456-42661417400g",
    "123e4567e89b-12d3-a456-426614174000",
];

#[test]
fn every_pattern_answers_as_regress_does() {
    let mut checked = 0;
    for pattern in PATTERNS {
        let ours = Pattern::new(pattern).unwrap();
        let theirs = regress::Regex::new(pattern).unwrap();
        for value in VALUES {
            assert_eq!(
                ours.find(value).is_some(),
                theirs.find(value).is_some(),
                "{pattern:?} on {value:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, PATTERNS.len() * VALUES.len());
}

#[test]
fn generated_ids_check_their_pattern() {
    let id = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
    assert!(id.parse::<authapi_types::DeviceId>().is_ok());
    let bad = "813xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
    let error = bad.parse::<authapi_types::DeviceId>().unwrap_err();
    assert!(
        error.to_string().contains("doesn't match pattern"),
        "{error}"
    );
}

#[test]
fn a_pattern_regress_refuses_is_refused() {
    assert!(Pattern::new("^[z-a]$").is_err());
    assert!(Pattern::new("^(a$").is_err());
}
