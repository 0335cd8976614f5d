//! `minLength` and `maxLength` count characters, as JSON Schema says, not bytes: ASCII values
//! are measured by their length, every other value by counting.

use authapi_types::DeviceId;

fn refusal(value: &str) -> String {
    value.parse::<DeviceId>().unwrap_err().to_string()
}

#[test]
fn an_id_s_length_is_counted_in_characters() {
    let valid = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
    assert_eq!(valid.parse::<DeviceId>().unwrap().as_str(), valid);
    assert_eq!(refusal(&valid[..31]), "shorter than 32 characters");
    assert_eq!(refusal(&format!("{valid}0")), "longer than 32 characters");
    // 32 characters of two bytes each: the right length, the wrong characters.
    assert!(refusal(&"é".repeat(32)).starts_with("doesn't match pattern"));
    assert_eq!(refusal(&"é".repeat(33)), "longer than 32 characters");
    assert_eq!(refusal(&"é".repeat(16)), "shorter than 32 characters");
    // One character of four bytes among ASCII ones.
    assert_eq!(
        refusal(&format!("{}🦀", &valid[..30])),
        "shorter than 32 characters"
    );
}
