//! The data file: tokens and records, read and checked in full before the server starts, so
//! that a bad file stops it with the file, the record and the field at fault.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use authapi_stubs::Encoded;
use authapi_types::{
    AccountId, AuthflowId, AuthflowResponse, AuthflowSummary, DeviceId, DeviceResponse,
    DeviceSummary, SessionAvailableActions, SessionId, SessionResponse, SessionSummary,
    SessionSummaryStatus, SuccessStatus,
};
use serde::de::{self, DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The embedded default data, used when no file is given.
pub const DEFAULT_DATA: &str = include_str!("../data/default.yaml");

/// What a token may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Device,
    Session,
    Authflow,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Device, Kind::Session, Kind::Authflow];

    pub fn singular(self) -> &'static str {
        match self {
            Kind::Device => "device",
            Kind::Session => "session",
            Kind::Authflow => "authflow",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Kind::Device => "devices",
            Kind::Session => "sessions",
            Kind::Authflow => "authflows",
        }
    }
}

/// A token and what it grants.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenGrant {
    pub token: String,
    pub account_id: AccountId,
    /// The resource kinds it may read; all of them when not given.
    #[serde(default = "all_kinds")]
    pub kinds: Vec<Kind>,
}

fn all_kinds() -> Vec<Kind> {
    Kind::ALL.to_vec()
}

/// A whole data set, as in a data file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    #[serde(default)]
    pub tokens: Vec<TokenGrant>,
    #[serde(default)]
    pub devices: Records<DeviceSummary>,
    #[serde(default)]
    pub sessions: Records<SessionSummary>,
    #[serde(default)]
    pub authflows: Records<AuthflowSummary>,
}

/// A kind of record in a data file, and the answer the API gives for one.
pub trait Resource: DeserializeOwned {
    type Id: Eq
        + Hash
        + Clone
        + fmt::Debug
        + std::ops::Deref<Target = String>
        + Send
        + Sync
        + 'static;
    type Answer: Serialize + fmt::Debug + Send + Sync + 'static;
    fn id(&self) -> &Self::Id;
    fn account_id(&self) -> &AccountId;
    fn into_answer(self) -> Self::Answer;
}

impl Resource for DeviceSummary {
    type Id = DeviceId;
    type Answer = DeviceResponse;

    fn id(&self) -> &DeviceId {
        &self.id
    }

    fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    fn into_answer(self) -> DeviceResponse {
        DeviceResponse {
            status: SuccessStatus::Success,
            summary: self,
        }
    }
}

impl Resource for SessionSummary {
    type Id = SessionId;
    type Answer = SessionResponse;

    fn id(&self) -> &SessionId {
        &self.id
    }

    fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    fn into_answer(self) -> SessionResponse {
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

impl Resource for AuthflowSummary {
    type Id = AuthflowId;
    type Answer = AuthflowResponse;

    fn id(&self) -> &AuthflowId {
        &self.id
    }

    fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    fn into_answer(self) -> AuthflowResponse {
        AuthflowResponse {
            status: SuccessStatus::Success,
            summary: self,
        }
    }
}

/// A record as the server keeps it: its id, its account, and its answer encoded once.
#[derive(Debug, Clone)]
pub struct Record<R: Resource> {
    pub id: R::Id,
    pub account_id: Arc<AccountId>,
    pub answer: Encoded<R::Answer>,
}

/// The records of one kind, in file order. Each is decoded, checked and encoded as its answer
/// on its own, so that a large file never exists as typed records all at once.
#[derive(Debug)]
pub struct Records<R: Resource>(pub Vec<Record<R>>);

impl<R: Resource> Default for Records<R> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<R: Resource> Records<R> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Record<R>> {
        self.0.iter()
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
                let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                // Records of one account share one copy of its id. Files tend to list an
                // account's records together, so the previous record's account is tried first.
                let mut accounts: HashMap<AccountId, Arc<AccountId>, foldhash::fast::RandomState> =
                    HashMap::default();
                let mut previous: Option<Arc<AccountId>> = None;
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
                    let answer = Encoded::new(&record.into_answer()).map_err(de::Error::custom)?;
                    records.push(Record {
                        id,
                        account_id,
                        answer,
                    });
                }
                Ok(Records(records))
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
        let text = std::fs::read_to_string(path).map_err(|e| DataError {
            source_name: name.clone(),
            message: format!("cannot read the file: {e}"),
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
            message,
        };
        let dataset = decode(text, format).map_err(|error| fail(explain(text, format, error)))?;
        dataset.check().map_err(fail)?;
        Ok(dataset)
    }

    /// What serde cannot see: unique ids and tokens.
    fn check(&self) -> Result<(), String> {
        fn unique_ids<R: Resource>(list: &str, records: &Records<R>) -> Result<(), String> {
            match first_duplicate(records.iter().map(|r| r.id.as_str())) {
                Some((i, id)) => Err(format!(
                    "{list}[{i}] (id {id}): id is used by an earlier record too"
                )),
                None => Ok(()),
            }
        }
        unique_ids("devices", &self.devices)?;
        unique_ids("sessions", &self.sessions)?;
        unique_ids("authflows", &self.authflows)?;
        for (i, grant) in self.tokens.iter().enumerate() {
            let usable =
                !grant.token.is_empty() && grant.token.bytes().all(|b| b.is_ascii_graphic());
            if !usable {
                return Err(format!(
                    "tokens[{i}].token: must be non-empty visible ASCII without spaces"
                ));
            }
        }
        // The token itself stays out of the message: it is a secret.
        if let Some((i, _)) = first_duplicate(self.tokens.iter().map(|t| t.token.as_str())) {
            return Err(format!("tokens[{i}]: token is declared twice"));
        }
        Ok(())
    }

    pub fn record_count(&self) -> usize {
        self.devices.len() + self.sessions.len() + self.authflows.len()
    }
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
        Format::Yaml => serde_yaml::from_str(text).map_err(|e| e.to_string()),
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
        Format::Yaml => {
            serde_path_to_error::deserialize::<_, Dataset>(serde_yaml::Deserializer::from_str(text))
                .err()
                .map(|e| (e.path().to_string(), e.into_inner().to_string()))
        }
    };
    let Some((path, inner)) = tracked else {
        return error;
    };
    if path.is_empty() || path == "." {
        return inner;
    }
    let tree: Option<Value> = match format {
        Format::Json => serde_json::from_str(text).ok(),
        Format::Yaml => serde_yaml::from_str(text).ok(),
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
        assert_eq!(data.tokens.len(), 3);
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
}
