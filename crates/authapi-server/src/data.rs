//! The data file: tokens and records, read and checked in full before the server starts, so
//! that a bad file stops it with the file, the record and the field at fault.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use authapi_stubs::Encoded;
use authapi_stubs::runtime::Scenario;
use authapi_types::{
    AccountId, AuthflowId, AuthflowResponse, AuthflowSummary, DeviceId, DeviceResponse,
    DeviceSummary, SessionAvailableActions, SessionId, SessionResponse, SessionSummary,
    SessionSummaryStatus, SuccessStatus,
};
use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject, SubschemaValidation};
use serde::de::{self, DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The JSON Schema of a data file, derived from the types it is read into, for editors.
pub fn data_schema() -> String {
    let schema = schemars::schema_for!(Dataset);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// The embedded default data, used when no file is given.
pub const DEFAULT_DATA: &str = include_str!("../data/default.yaml");

/// Declares the resource kinds the server serves. Each entry is the whole of what the server
/// needs to know of a kind: its name in tokens' `kinds` and in messages (`device`), its list in
/// a data file (`devices`), its record type, and how a record becomes the API's answer. The
/// data set, the store, the permission check and the start-up line all work from here, so a
/// new fetch endpoint costs its entry, its method in `api.rs` and its records in the data.
macro_rules! resources {
    ($(
        $(#[$doc:meta])*
        $kind:ident $singular:literal $plural:ident: $record:ty { $($body:tt)* }
    )*) => {
        /// What a token may read: one kind per resource.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
        pub enum Kind {
            $( $(#[$doc])* #[serde(rename = $singular)] $kind, )*
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$kind),*];

            pub fn singular(self) -> &'static str {
                match self { $(Kind::$kind => $singular,)* }
            }

            pub fn plural(self) -> &'static str {
                match self { $(Kind::$kind => stringify!($plural),)* }
            }
        }

        /// A whole data set, as in a data file.
        #[derive(Debug, Default, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct Dataset {
            #[serde(default)]
            pub tokens: Vec<TokenGrant>,
            $( #[serde(default)] pub $plural: Records<$record>, )*
        }

        impl Dataset {
            /// How many records of each kind it holds, in declaration order.
            pub fn counts(&self) -> Vec<(Kind, usize)> {
                vec![$((Kind::$kind, self.$plural.len()),)*]
            }

            /// The first record of each kind in the data, by its id and account.
            pub fn samples(&self) -> Vec<(Kind, &str, &AccountId)> {
                let mut samples = Vec::new();
                $( samples.extend(self.$plural.sample().map(|(id, a)| (Kind::$kind, id, a))); )*
                samples
            }

            /// The first id a list repeats, as `list[i] (id X)`.
            fn duplicate(&self) -> Option<String> {
                $(
                    if let Some((i, id)) = &self.$plural.duplicate {
                        return Some(format!("{}[{i}] (id {})", stringify!($plural), id.as_str()));
                    }
                )*
                None
            }
        }

        $(
            impl Resource for $record {
                const KIND: Kind = Kind::$kind;

                fn id(&self) -> &Self::Id {
                    &self.id
                }

                fn account_id(&self) -> &AccountId {
                    &self.account_id
                }

                fn records(data: &Dataset) -> &Records<Self> {
                    &data.$plural
                }

                $($body)*
            }
        )*
    };
}

resources! {
    Device "device" devices: DeviceSummary {
        type Id = DeviceId;
        type Body = DeviceResponse;

        fn into_body(self) -> DeviceResponse {
            DeviceResponse {
                status: SuccessStatus::Success,
                summary: self,
            }
        }
    }

    Session "session" sessions: SessionSummary {
        type Id = SessionId;
        type Body = SessionResponse;

        fn into_body(self) -> SessionResponse {
            // Derived, not stored: a session can be revoked until it is revoked or complete.
            let revoke = !matches!(
                self.status,
                SessionSummaryStatus::Revoked | SessionSummaryStatus::Complete
            );
            SessionResponse {
                actions: SessionAvailableActions { revoke },
                summary: self,
            }
        }
    }

    Authflow "authflow" authflows: AuthflowSummary {
        type Id = AuthflowId;
        type Body = AuthflowResponse;

        fn into_body(self) -> AuthflowResponse {
            AuthflowResponse {
                status: SuccessStatus::Success,
                summary: self,
            }
        }
    }
}

/// A kind of record in a data file, and the answer the API gives for one; declared in
/// `resources!`.
pub trait Resource: DeserializeOwned + Send + Sync + 'static {
    const KIND: Kind;
    type Id: Eq
        + Hash
        + Clone
        + fmt::Debug
        + std::ops::Deref<Target = String>
        + Send
        + Sync
        + 'static;
    type Body: Serialize + fmt::Debug + Send + Sync + 'static;
    fn id(&self) -> &Self::Id;
    fn account_id(&self) -> &AccountId;
    fn into_body(self) -> Self::Body;
    /// This kind's records in a data set.
    fn records(data: &Dataset) -> &Records<Self>;
}

/// A token and what it grants.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenGrant {
    pub token: String,
    /// The one account whose records it reads…
    #[serde(default)]
    pub account_id: Option<AccountId>,
    /// …or several (`[A, B]`), or every account (`all`).
    #[serde(default)]
    pub accounts: Option<Accounts>,
    /// The resource kinds it may read; all of them when not given.
    #[serde(default = "all_kinds")]
    pub kinds: Vec<Kind>,
    /// A scenario every request with this token plays, as if it sent the `Prefer` header
    /// (`{code: 401}`, `{delay: 2000}`, `{dynamic: true}`); a request's own header is laid
    /// over it.
    #[serde(default)]
    pub scenario: Option<Scenario>,
}

impl TokenGrant {
    /// A grant of every kind in one account.
    pub fn account(token: String, account_id: AccountId) -> Self {
        Self {
            token,
            account_id: Some(account_id),
            accounts: None,
            kinds: all_kinds(),
            scenario: None,
        }
    }

    /// The accounts it covers; a grant that names none covers none (the data check refuses it).
    pub fn scope(&self) -> Accounts {
        match (&self.account_id, &self.accounts) {
            (Some(one), _) => Accounts::Listed(vec![one.clone()]),
            (None, Some(accounts)) => accounts.clone(),
            (None, None) => Accounts::Listed(Vec::new()),
        }
    }
}

fn all_kinds() -> Vec<Kind> {
    Kind::ALL.to_vec()
}

/// The accounts a token reads: the ones listed, or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounts {
    Listed(Vec<AccountId>),
    All,
}

impl Accounts {
    pub fn covers(&self, account: &AccountId) -> bool {
        match self {
            Accounts::Listed(accounts) => accounts.contains(account),
            Accounts::All => true,
        }
    }
}

impl JsonSchema for Accounts {
    fn schema_name() -> String {
        "Accounts".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let all = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            enum_values: Some(vec!["all".into()]),
            ..Default::default()
        };
        let listed = generator.subschema_for::<Vec<AccountId>>();
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![listed, all.into()]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

impl<'de> Deserialize<'de> for Accounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;

        impl<'de> Visitor<'de> for Either {
            type Value = Accounts;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of account ids, or `all`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Accounts, E> {
                match v {
                    "all" => Ok(Accounts::All),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Accounts, A::Error> {
                let mut accounts = Vec::new();
                while let Some(account) = seq.next_element()? {
                    accounts.push(account);
                }
                Ok(Accounts::Listed(accounts))
            }
        }

        deserializer.deserialize_any(Either)
    }
}

/// What the server keeps of a record: its account, and its reply body encoded once.
#[derive(Debug, Clone)]
pub struct Record<R: Resource> {
    pub account_id: Arc<AccountId>,
    pub body: Encoded<R::Body>,
}

/// The records of one kind by id. Each is decoded, checked and encoded as its answer on its
/// own, so that a large file never exists as typed records all at once. The keys come from the
/// data file, not from clients, so a fast hash without flooding protection is safe here, and
/// it makes loading a million records noticeably faster.
#[derive(Debug)]
pub struct Records<R: Resource> {
    by_id: HashMap<R::Id, Record<R>, foldhash::fast::RandomState>,
    /// The first id listed twice, with its position, refused by the data check.
    duplicate: Option<(usize, R::Id)>,
    /// The id listed first.
    first: Option<R::Id>,
}

impl<R: Resource> Default for Records<R> {
    fn default() -> Self {
        Self {
            by_id: HashMap::default(),
            duplicate: None,
            first: None,
        }
    }
}

impl<R: Resource> Records<R> {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn get(&self, id: &R::Id) -> Option<&Record<R>> {
        self.by_id.get(id)
    }

    /// The record listed first, by its id and account: what the server suggests trying.
    fn sample(&self) -> Option<(&str, &AccountId)> {
        let id = self.first.as_ref()?;
        let record = self.by_id.get(id)?;
        Some((id.as_str(), &*record.account_id))
    }
}

/// In a data file, a list of records.
impl<R: Resource + JsonSchema> JsonSchema for Records<R> {
    fn schema_name() -> String {
        format!("Records_of_{}", R::schema_name())
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<Vec<R>>()
    }
}

impl<'de, R: Resource> Deserialize<'de> for Records<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Each<R>(PhantomData<R>);

        impl<'de, R: Resource> Visitor<'de> for Each<R> {
            type Value = Records<R>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of records")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Records<R>, A::Error> {
                let mut records = Records::default();
                records.by_id.reserve(seq.size_hint().unwrap_or(0));
                // Records of one account share one copy of its id. Files tend to list an
                // account's records together, so the previous record's account is tried first.
                let mut accounts: HashMap<AccountId, Arc<AccountId>, foldhash::fast::RandomState> =
                    HashMap::default();
                let mut previous: Option<Arc<AccountId>> = None;
                let mut index = 0;
                while let Some(record) = seq.next_element::<R>()? {
                    let id = record.id().clone();
                    let account_id = match &previous {
                        Some(last) if **last == *record.account_id() => last.clone(),
                        _ => accounts
                            .entry(record.account_id().clone())
                            .or_insert_with_key(|a| Arc::new(a.clone()))
                            .clone(),
                    };
                    previous = Some(account_id.clone());
                    let body = Encoded::new(&record.into_body()).map_err(de::Error::custom)?;
                    let record = Record { account_id, body };
                    if index == 0 {
                        records.first = Some(id.clone());
                    }
                    if records.by_id.insert(id.clone(), record).is_some() {
                        records.duplicate.get_or_insert((index, id));
                    }
                    index += 1;
                }
                Ok(records)
            }
        }

        deserializer.deserialize_seq(Each(PhantomData))
    }
}

/// Why a data set was refused; the message names the source, the record and the field.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct DataError {
    pub source_name: String,
    pub message: String,
}

impl Dataset {
    /// The embedded default data.
    pub fn embedded() -> Result<Self, DataError> {
        Self::parse("embedded default data", DEFAULT_DATA, Format::Yaml)
    }

    /// Reads a data file; `.json` files are JSON, anything else YAML.
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let name = path.display().to_string();
        let fail = |message: String| DataError {
            source_name: name.clone(),
            message,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| fail(format!("cannot read the file: {e}")))?
            .len();
        if size > MAX_SIZE as u64 {
            return Err(fail(format!(
                "the file has {size} bytes; a data file may have at most {MAX_SIZE}"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            fail(format!("line {line}: the file is not valid UTF-8"))
        })?;
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            _ => Format::Yaml,
        };
        Self::parse(&name, &text, format)
    }

    pub fn parse(name: &str, text: &str, format: Format) -> Result<Self, DataError> {
        let fail = |message: String| DataError {
            source_name: name.to_string(),
            message: excerpt(&message),
        };
        if text.len() > MAX_SIZE {
            return Err(fail(format!(
                "the data has {} bytes; a data set may have at most {MAX_SIZE}",
                text.len()
            )));
        }
        shallow(text).map_err(fail)?;
        let dataset = decode(text, format).map_err(|error| fail(explain(text, format, error)))?;
        dataset.check().map_err(fail)?;
        Ok(dataset)
    }

    /// What serde cannot see: unique ids and tokens, and a grant's accounts.
    fn check(&self) -> Result<(), String> {
        if let Some(record) = self.duplicate() {
            return Err(format!("{record}: id is used by an earlier record too"));
        }
        for (i, grant) in self.tokens.iter().enumerate() {
            let usable =
                !grant.token.is_empty() && grant.token.bytes().all(|b| b.is_ascii_graphic());
            if !usable {
                return Err(format!(
                    "tokens[{i}].token: must be non-empty visible ASCII without spaces"
                ));
            }
            match (&grant.account_id, &grant.accounts) {
                (Some(_), Some(_)) => {
                    return Err(format!(
                        "tokens[{i}]: give account_id (one account) or accounts (several, or all), not both"
                    ));
                }
                // A token that only plays a scenario (say, an expired one) may read nothing.
                (None, None) if grant.scenario.is_none() => {
                    return Err(format!(
                        "tokens[{i}]: needs account_id (one account) or accounts (a list, or all)"
                    ));
                }
                _ => {}
            }
            if let Some(scenario) = &grant.scenario {
                scenario
                    .check()
                    .map_err(|e| format!("tokens[{i}].scenario.{e}"))?;
            }
        }
        // The token itself stays out of the message: it is a secret.
        if let Some((i, _)) = first_duplicate(self.tokens.iter().map(|t| t.token.as_str())) {
            return Err(format!("tokens[{i}]: token is declared twice"));
        }
        Ok(())
    }
}

/// The largest data set read, in bytes: a million records take about 600 MB.
pub const MAX_SIZE: usize = 1 << 30;

/// How deep brackets (`[`, `{`) or indentation may nest. A data set needs about five levels;
/// the YAML reader takes time that grows with the square of the depth, so a file of nothing
/// but brackets must be refused before it is parsed.
const MAX_NESTING: usize = 64;

/// Refuses text nested deeper than [`MAX_NESTING`], naming the line. Brackets inside quotes
/// on one line and after a comment mark do not count.
fn shallow(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        let mut quote = None;
        let mut previous = b' ';
        for &b in line.as_bytes() {
            match (quote, b) {
                (Some(q), _) if b == q && previous != b'\\' => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'#') if previous == b' ' => break,
                (None, b'[' | b'{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        break;
                    }
                }
                (None, b']' | b'}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            previous = b;
        }
        if depth > MAX_NESTING || indent > 2 * MAX_NESTING {
            return Err(format!(
                "line {}: nested more than {MAX_NESTING} levels deep; a data set needs a few",
                i + 1
            ));
        }
    }
    Ok(())
}

/// A message cut to a readable length: an error may quote a value, and a value may be huge.
fn excerpt(message: &str) -> String {
    const MAX: usize = 400;
    if message.len() <= MAX {
        return message.to_string();
    }
    // The longest part of at most MAX bytes that ends between two characters.
    let end = (0..=MAX)
        .rev()
        .find(|&at| message.is_char_boundary(at))
        .unwrap_or(0);
    format!("{}… ({} bytes in all)", &message[..end], message.len())
}

/// The index and value of the first item equal to an earlier one.
fn first_duplicate<'a>(items: impl Iterator<Item = &'a str>) -> Option<(usize, &'a str)> {
    let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
    items.enumerate().find(|(_, item)| !seen.insert(*item))
}

#[derive(Debug, Clone, Copy)]
pub enum Format {
    Json,
    Yaml,
}

/// Decodes a data set straight into its compact records, with no document tree in between
/// and no path tracking: a million records must load fast and in little more memory than the
/// records themselves.
fn decode(text: &str, format: Format) -> Result<Dataset, String> {
    match format {
        Format::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
        Format::Yaml => serde_norway::from_str(text).map_err(|e| e.to_string()),
    }
}

/// Says where a data set that failed to decode is wrong: decodes it again, tracking the path,
/// and names the failing record by its id as well as its position.
fn explain(text: &str, format: Format, error: String) -> String {
    let tracked = match format {
        Format::Json => {
            let mut json = serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize::<_, Dataset>(&mut json)
                .err()
                .map(|e| (e.path().to_string(), e.into_inner().to_string()))
        }
        Format::Yaml => serde_path_to_error::deserialize::<_, Dataset>(
            serde_norway::Deserializer::from_str(text),
        )
        .err()
        .map(|e| (e.path().to_string(), e.into_inner().to_string())),
    };
    let Some((path, inner)) = tracked else {
        return error;
    };
    if path.is_empty() || path == "." {
        return inner;
    }
    // The YAML reader names the path in its own message too.
    let inner = inner
        .strip_prefix(&format!("{path}: "))
        .map(str::to_string)
        .unwrap_or(inner);
    let tree: Option<Value> = match format {
        Format::Json => serde_json::from_str(text).ok(),
        Format::Yaml => serde_norway::from_str(text).ok(),
    };
    match tree {
        Some(tree) => format!("{}: {inner}", describe(&tree, &path)),
        None => format!("{path}: {inner}"),
    }
}

/// `devices[3].first_seen.asn` → `devices[3] (id 013...): first_seen.asn`, so that the record is
/// named by its id as well as its position.
fn describe(value: &Value, path: &str) -> String {
    let Some((record, field)) = path.split_once("].") else {
        return path.to_string();
    };
    let record = format!("{record}]");
    let id = record.split_once('[').and_then(|(list, index)| {
        value
            .get(list)?
            .get(index.trim_end_matches(']').parse::<usize>().ok()?)?
            .get("id")?
            .as_str()
    });
    match id {
        Some(id) => format!("{record} (id {id}): {field}"),
        None => format!("{record}: {field}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads() {
        let data = Dataset::embedded().unwrap();
        assert_eq!(
            (
                data.devices.len(),
                data.sessions.len(),
                data.authflows.len()
            ),
            (5, 4, 2)
        );
        assert_eq!(data.tokens.len(), 4);
    }

    #[test]
    fn a_bad_field_is_named_with_its_record() {
        let text = DEFAULT_DATA.replacen("remote_ip: 2001:db8::1", "remote_ip: 2001:db8::zz", 1);
        let err = Dataset::parse("d.yaml", &text, Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "d.yaml: devices[2] (id 013xrzp12g3nqk8nm9s346q3d25vt4f5): first_seen.remote_ip: "
            ),
            "{err}"
        );
    }

    #[test]
    fn duplicate_ids_and_tokens_are_refused() {
        let text = DEFAULT_DATA.replace(
            "013xrzp12g3nqk8nv37e3s3e28jt97kb",
            "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
        );
        let err = Dataset::parse("d.yaml", &text, Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("devices[3] (id 013xrzp12g3nqk8nyvk0xwzcb2gzp8z1): id is used"),
            "{err}"
        );
        let text = DEFAULT_DATA.replace("token: dev-token-b", "token: dev-token");
        let err = Dataset::parse("d.yaml", &text, Format::Yaml)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "d.yaml: tokens[1]: token is declared twice");
    }

    #[test]
    fn broken_syntax_is_named_with_its_place() {
        let err = Dataset::parse("d.json", "{\"devices\": [", Format::Json)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("d.json: "), "{err}");
        assert!(
            err.contains("EOF while parsing a list at line 1 column 13"),
            "{err}"
        );
        let err = Dataset::parse("d.yaml", "devices: [\n", Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("d.yaml: "), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused_not_dropped() {
        let err = Dataset::parse("d.json", r#"{"devices": [], "device": []}"#, Format::Json)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("d.json: device: unknown field `device`"),
            "{err}"
        );
    }

    /// Each hostile data set is refused fast (milliseconds in a release build; the bound leaves
    /// room for a debug build on a busy machine), with a short, located message.
    fn refused_fast(text: &str, format: Format) -> String {
        let started = std::time::Instant::now();
        let err = Dataset::parse("d", text, format).unwrap_err().to_string();
        let took = started.elapsed();
        assert!(took.as_millis() < 5000, "took {took:?}: {err}");
        assert!(
            err.len() < 600,
            "{} bytes of error: {}",
            err.len(),
            &err[..600]
        );
        err
    }

    #[test]
    fn deep_nesting_is_refused_before_it_is_parsed() {
        let deep = format!("devices: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = refused_fast(&deep, Format::Yaml);
        assert_eq!(
            err,
            "d: line 1: nested more than 64 levels deep; a data set needs a few"
        );
        let deep = format!(
            "{{\"devices\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(refused_fast(&deep, Format::Json).starts_with("d: line 1: nested more than 64"));
        let indented: String = (0..200)
            .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
            .collect();
        assert!(refused_fast(&indented, Format::Yaml).contains("nested more than 64"));
        // Brackets in quoted strings and comments are text, not nesting.
        let quoted = format!("# {}\ntokens: []\n", "[".repeat(100));
        assert!(Dataset::parse("d", &quoted, Format::Yaml).is_ok());
    }

    #[test]
    fn brackets_are_nesting_outside_quotes_and_comments_only() {
        let brackets = "[".repeat(100);
        // In quotes, they are text: the data is refused for its type, not its depth.
        let quoted = format!("devices: \"{brackets}\"\n");
        assert!(
            refused_fast(&quoted, Format::Yaml).starts_with("d: devices: invalid type: string"),
            "{quoted}"
        );
        // A `#` inside a word starts no comment, so the brackets after it count.
        let unspaced = format!("devices: a#{brackets}\n");
        assert_eq!(
            refused_fast(&unspaced, Format::Yaml),
            "d: line 1: nested more than 64 levels deep; a data set needs a few"
        );
    }

    #[test]
    fn nesting_up_to_the_limit_is_read_and_closed_lists_do_not_add_up() {
        let not_too_deep = |text: &str| match Dataset::parse("d", text, Format::Yaml) {
            Ok(_) => true,
            Err(e) => !e.to_string().contains("nested more than"),
        };
        // Opened on one line and closed on the next, so that the line ends at its deepest.
        let brackets = |n: usize| format!("devices: {}\n{}\n", "[".repeat(n), "]".repeat(n));
        assert!(not_too_deep(&brackets(64)));
        assert!(!not_too_deep(&brackets(65)));
        let indented = |deepest: usize| -> String {
            (0..=deepest)
                .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
                .collect()
        };
        assert!(not_too_deep(&indented(128)));
        assert!(!not_too_deep(&indented(129)));
        // Seventy lists one after another are seventy lists, not seventy levels.
        let account = "013xrzp12g3nqk8n505tp6wqnscpdy8q";
        let tokens: String = (0..70)
            .map(|i| format!("  - {{token: t{i}, account_id: {account}, kinds: [device]}}\n"))
            .collect();
        let data = Dataset::parse("d", &format!("tokens:\n{tokens}"), Format::Yaml).unwrap();
        assert_eq!(data.tokens.len(), 70);
    }

    #[test]
    fn a_huge_value_is_quoted_in_part() {
        let huge = format!("devices: \"{}\"", "x".repeat(13_000_000));
        let err = refused_fast(&huge, Format::Yaml);
        assert!(
            err.starts_with("d: devices: invalid type: string \"xxx"),
            "{}",
            &err[..100]
        );
        assert!(err.ends_with("bytes in all)"), "{err}");
    }

    #[test]
    fn an_excerpt_ends_between_two_characters_within_its_limit() {
        let (a399, a400) = ("a".repeat(399), "a".repeat(400));
        assert_eq!(excerpt(&a400), a400);
        assert_eq!(
            excerpt(&format!("{a400}b")),
            format!("{a400}… (401 bytes in all)")
        );
        // The 400th byte is the first of a two-byte character: the cut comes before it.
        assert_eq!(
            excerpt(&format!("{a399}é{}", "b".repeat(100))),
            format!("{a399}… (501 bytes in all)")
        );
    }

    #[test]
    fn an_alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        text.push_str("devices: *a11\n");
        let err = refused_fast(&text, Format::Yaml);
        assert!(err.starts_with("d: "), "{err}");
    }

    fn refused(text: &str) -> String {
        Dataset::parse("d.yaml", text, Format::Yaml)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_token_must_be_non_empty_visible_ascii() {
        let account = "013xrzp12g3nqk8n505tp6wqnscpdy8q";
        for token in ["''", "'dev token'", "\"dev\\ttoken\"", "dévtoken"] {
            let text = format!(
                "tokens:\n  - token: dev-token\n    account_id: {account}\n  - token: {token}\n    account_id: {account}\n"
            );
            assert_eq!(
                refused(&text),
                "d.yaml: tokens[1].token: must be non-empty visible ASCII without spaces",
                "{token}"
            );
        }
    }

    #[test]
    fn a_grant_names_one_account_or_several_but_not_both() {
        let account = "013xrzp12g3nqk8n505tp6wqnscpdy8q";
        let both = format!(
            "tokens:\n  - token: t\n    account_id: {account}\n    accounts: [{account}]\n"
        );
        assert_eq!(
            refused(&both),
            "d.yaml: tokens[0]: give account_id (one account) or accounts (several, or all), not both"
        );
        assert_eq!(
            refused("tokens:\n  - token: t\n"),
            "d.yaml: tokens[0]: needs account_id (one account) or accounts (a list, or all)"
        );
        let listed = format!("tokens:\n  - token: t\n    accounts: [{account}]\n");
        let data = Dataset::parse("d.yaml", &listed, Format::Yaml).unwrap();
        assert_eq!(
            data.tokens[0].scope(),
            Accounts::Listed(vec![account.parse().unwrap()])
        );
        let all = "tokens:\n  - token: t\n    accounts: all\n";
        let data = Dataset::parse("d.yaml", all, Format::Yaml).unwrap();
        assert_eq!(data.tokens[0].scope(), Accounts::All);
    }

    #[test]
    fn a_wrong_shape_is_named_with_what_was_expected() {
        assert_eq!(
            refused("devices: 3\n"),
            "d.yaml: devices: invalid type: integer `3`, expected a list of records at line 1 column 10"
        );
        assert_eq!(
            refused("tokens:\n  - token: t\n    accounts: 5\n"),
            "d.yaml: tokens[0]: accounts: invalid type: integer `5`, expected a list of account ids, or `all` at line 3 column 15"
        );
        assert_eq!(
            refused("tokens:\n  - token: t\n    accounts: some\n"),
            "d.yaml: tokens[0]: accounts: invalid value: string \"some\", expected a list of account ids, or `all` at line 3 column 15"
        );
    }

    #[test]
    fn an_error_in_the_whole_document_is_not_given_a_path() {
        let err = Dataset::parse("d.json", "3", Format::Json)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "d.json: invalid type: integer `3`, expected struct Dataset at line 1 column 1"
        );
    }

    /// Records of one account share one copy of its id; each record must still keep its own
    /// account where the file switches from one account to another.
    #[test]
    fn every_record_keeps_its_own_account() {
        let data = Dataset::embedded().unwrap();
        let tree: Value = serde_norway::from_str(DEFAULT_DATA).unwrap();
        let mut switches = 0;
        for (list, count) in [("devices", 5), ("sessions", 4), ("authflows", 2)] {
            let records = tree[list].as_array().unwrap();
            assert_eq!(records.len(), count, "{list}");
            let mut previous = None;
            for record in records {
                let id = record["id"].as_str().unwrap();
                let account = record["account_id"].as_str().unwrap();
                let kept = match list {
                    "devices" => data
                        .devices
                        .get(&id.parse().unwrap())
                        .map(|r| r.account_id.clone()),
                    "sessions" => data
                        .sessions
                        .get(&id.parse().unwrap())
                        .map(|r| r.account_id.clone()),
                    _ => data
                        .authflows
                        .get(&id.parse().unwrap())
                        .map(|r| r.account_id.clone()),
                };
                assert_eq!(kept.unwrap().as_str(), account, "{list} {id}");
                switches += usize::from(previous.is_some_and(|p| p != account));
                previous = Some(account);
            }
        }
        assert!(
            switches >= 2,
            "the embedded data no longer switches accounts"
        );
    }

    /// Editors read the printed schema: `accounts` is offered as a list of ids or the string
    /// `all`, and nothing else.
    #[test]
    fn the_schema_gives_accounts_as_a_list_or_the_string_all() {
        let schema: Value = serde_json::from_str(&data_schema()).unwrap();
        assert_eq!(
            schema["definitions"]["Accounts"],
            serde_json::json!({
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "string", "enum": ["all"]},
                ]
            })
        );
    }

    #[test]
    fn records_count_what_the_file_lists() {
        let data = Dataset::embedded().unwrap();
        assert!(!data.devices.is_empty());
        assert_eq!(
            data.counts(),
            [(Kind::Device, 5), (Kind::Session, 4), (Kind::Authflow, 2)]
        );
        let empty = Dataset::parse("d.yaml", "devices: []\n", Format::Yaml).unwrap();
        assert!(empty.devices.is_empty() && empty.sessions.is_empty());
        assert!(empty.samples().is_empty());
    }

    /// What the start-up line suggests trying: the first record of each kind as the file
    /// lists it, with its account.
    #[test]
    fn the_samples_are_the_first_records_listed() {
        let data = Dataset::embedded().unwrap();
        let tree: Value = serde_norway::from_str(DEFAULT_DATA).unwrap();
        let samples: Vec<(Kind, String, String)> = data
            .samples()
            .into_iter()
            .map(|(kind, id, account)| (kind, id.to_string(), account.to_string()))
            .collect();
        let first = |list: &str| {
            let record = &tree[list][0];
            (
                record["id"].as_str().unwrap().to_string(),
                record["account_id"].as_str().unwrap().to_string(),
            )
        };
        let expected: Vec<(Kind, String, String)> = Kind::ALL
            .iter()
            .map(|kind| {
                let (id, account) = first(kind.plural());
                (*kind, id, account)
            })
            .collect();
        assert_eq!(samples, expected);
    }

    /// The size is checked before the file is read: a sparse file of just over the limit is
    /// refused at once, without reading its gigabyte.
    #[test]
    fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
        let dir = std::env::temp_dir().join(format!("authapi-size-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("huge.yaml");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_SIZE as u64 + 1).unwrap();
        drop(file);
        let err = Dataset::load(&path).unwrap_err().to_string();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            err.ends_with(
                ": the file has 1073741825 bytes; a data file may have at most 1073741824"
            ),
            "{err}"
        );
    }

    /// A `.json` file is read as JSON, so its errors are JSON's (YAML would read most of it too,
    /// and explain its mistakes in YAML's terms).
    #[test]
    fn a_json_file_is_read_as_json() {
        let dir = std::env::temp_dir().join(format!("authapi-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.json");
        std::fs::write(&path, "{\"devices\": [").unwrap();
        let err = Dataset::load(&path).unwrap_err().to_string();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            err.ends_with("EOF while parsing a list at line 1 column 13"),
            "{err}"
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_with_its_line() {
        let dir = std::env::temp_dir().join(format!("authapi-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.yaml");
        std::fs::write(&path, b"tokens: []\ndevices:\n  - id: \xff\xfe\n").unwrap();
        let err = Dataset::load(&path).unwrap_err().to_string();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            err.ends_with(": line 3: the file is not valid UTF-8"),
            "{err}"
        );
    }
}
