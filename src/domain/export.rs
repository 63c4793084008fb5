//! Auditor exports (docs/ARCHITECTURE.md, Audit chain): what can be exported, the filters, the rows,
//! how rows are encoded (CSV per RFC 4180 or NDJSON), and the manifest that names the chain head an
//! export covers.
//!
//! An export is a file plus a manifest beside it (`FILE.manifest.json`). The manifest carries the
//! SHA-256 of the file, its row count, the filters, and the audit chain head (`head_seq`, `head_hash`)
//! read in the same database snapshot as the rows: an events export holds exactly the matching events
//! with `seq <= head_seq`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

use super::ids::{LevelId, TenantId};
use super::status::ApplicationStatus;
use super::time::Timestamp;
use super::validate::Invalid;
use super::wire_enum::wire_enum;

wire_enum!(
    /// What an export holds.
    ExportKind, "export kind" {
        /// One row per audit event about an application (its history).
        Events => "events",
        /// One row per reviewer decision, whatever its state.
        Decisions => "decisions",
    }
);

wire_enum!(
    /// How the rows are written.
    ExportFormat, "export format" {
        /// A header row, then one record per row (RFC 4180).
        Csv => "csv",
        /// One JSON object per line.
        Ndjson => "ndjson",
    }
);

impl ExportFormat {
    /// The file extension, also the last part of the file name.
    pub fn extension(&self) -> &'static str {
        self.as_str()
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Ndjson => "application/x-ndjson",
        }
    }
}

/// An export's id: a UUIDv7 (so ids sort by creation). It names files, so only the canonical
/// lowercase hyphenated form parses: no other spelling, nothing that could reach another path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ExportId(Uuid);

impl ExportId {
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// The data file's name: `<id>.<csv|ndjson>`.
    pub fn file_name(&self, format: ExportFormat) -> String {
        format!("{self}.{}", format.extension())
    }
}

impl fmt::Display for ExportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for ExportId {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Self, Invalid> {
        let refused = || Invalid::new("invalid_export_id", "not a valid export id");
        if s.len() != 36 {
            return Err(refused());
        }
        let uuid = Uuid::try_parse(s).map_err(|_| refused())?;
        let id = Self(uuid);
        if id.to_string() != s {
            return Err(refused());
        }
        Ok(id)
    }
}

impl<'de> Deserialize<'de> for ExportId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The name of the manifest beside a data file: `FILE.manifest.json`.
pub fn manifest_file_name(data_file_name: &str) -> String {
    format!("{data_file_name}.manifest.json")
}

/// Which rows an export holds. Tenant, level and status are the application's; the time range is the
/// event's `occurred_at` (events) or the decision's `proposed_at` (decisions), both bounds inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFilters {
    pub tenant_id: Option<TenantId>,
    pub level_id: Option<LevelId>,
    pub status: Option<ApplicationStatus>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// Filters as typed in a form or on the command line; blank means "any".
#[derive(Debug, Clone, Copy, Default)]
pub struct FilterInput<'a> {
    pub tenant: &'a str,
    pub level: &'a str,
    pub status: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

fn invalid_filter(message: impl Into<String>) -> Invalid {
    Invalid::new("invalid_filter", message)
}

/// A day (`YYYY-MM-DD`, UTC) or an RFC 3339 instant. A day as lower bound starts at its first
/// microsecond, as upper bound it ends with its last.
fn bound(name: &str, text: &str, end_of_day: bool) -> Result<Option<Timestamp>, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = if end_of_day {
            NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999)
        } else {
            Some(NaiveTime::MIN)
        };
        if let Some(time) = time {
            return Ok(Some(Timestamp::from_datetime(day.and_time(time).and_utc())));
        }
    }
    text.parse::<Timestamp>().map(Some).map_err(|_| {
        invalid_filter(format!(
            "{name}: expected a date (YYYY-MM-DD) or an RFC 3339 time, e.g. 2026-11-22T08:15:00Z"
        ))
    })
}

impl ExportFilters {
    /// Checks typed filters; the error names the field.
    pub fn parse(input: FilterInput<'_>) -> Result<Self, Invalid> {
        let tenant = input.tenant.trim();
        let level = input.level.trim();
        let status = input.status.trim();
        let tenant_id = match tenant {
            "" => None,
            text => Some(
                text.parse::<TenantId>()
                    .map_err(|_| invalid_filter("tenant: not a valid tenant id (a UUID)"))?,
            ),
        };
        let level_id = match level {
            "" => None,
            text => Some(
                text.parse::<LevelId>()
                    .map_err(|_| invalid_filter("level: not a valid level id (a UUID)"))?,
            ),
        };
        let status = match status {
            "" => None,
            text => Some(text.parse::<ApplicationStatus>().map_err(|_| {
                let known: Vec<&str> = ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect();
                invalid_filter(format!("status: expected one of {}", known.join(", ")))
            })?),
        };
        let from = bound("from", input.from, false)?;
        let to = bound("to", input.to, true)?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(invalid_filter("from: the range starts after it ends"));
        }
        Ok(Self {
            tenant_id,
            level_id,
            status,
            from,
            to,
        })
    }

    /// Bound as the store compares them: canonical text, which sorts like the instants.
    pub fn from_text(&self) -> Option<String> {
        self.from.map(|t| t.canonical())
    }

    pub fn to_text(&self) -> Option<String> {
        self.to.map(|t| t.canonical())
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub filters: ExportFilters,
}

impl ExportRequest {
    /// Checks a request as typed (kind, format, filters); the error names the field.
    pub fn parse(kind: &str, format: &str, filters: FilterInput<'_>) -> Result<Self, Invalid> {
        let kind = kind
            .trim()
            .parse::<ExportKind>()
            .map_err(|_| invalid_filter("kind: expected events or decisions"))?;
        let format = format
            .trim()
            .parse::<ExportFormat>()
            .map_err(|_| invalid_filter("format: expected csv or ndjson"))?;
        Ok(Self {
            kind,
            format,
            filters: ExportFilters::parse(filters)?,
        })
    }
}

/// What the manifest beside an export file says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportManifest {
    pub export_id: ExportId,
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub filters: ExportFilters,
    /// Data rows (the CSV header is not one).
    pub rows: u64,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the file, byte for byte.
    pub sha256: String,
    /// The audit chain head in the snapshot the rows were read from.
    pub head_seq: i64,
    pub head_hash: String,
    /// When the snapshot was taken.
    pub created_at: Timestamp,
    /// The staff member's e-mail, or the actor (`system:cli`).
    pub created_by: String,
    /// The audit actor (`staff:<id>`, `system:cli`).
    pub actor: String,
    /// The data file's name, beside the manifest (absent when the export went to a stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// CSV only: how cells were guarded against formula injection ([`CSV_CELLS_NOTE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_cells: Option<String>,
}

/// One audit event about an application, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub occurred_at: String,
    pub application_id: String,
    pub tenant_id: String,
    pub level_id: String,
    pub actor: String,
    pub action: String,
    /// The stored JSON text, byte for byte (it is hashed so). NDJSON embeds it as JSON.
    #[serde(serialize_with = "raw_json")]
    pub payload: String,
    pub hash: String,
}

/// One decision, as exported. Staff appear by e-mail; the internal comment never leaves the back-office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRow {
    pub decision_id: String,
    pub application_id: String,
    pub tenant_id: String,
    pub level_id: String,
    pub outcome: String,
    pub reasons: Vec<String>,
    pub remediation: Vec<String>,
    pub state: String,
    pub proposed_by: String,
    pub proposed_at: String,
    /// The second reviewer under four-eyes (`reviewed_by`); none without one.
    pub confirmed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub message_to_applicant: Option<String>,
}

/// Embeds stored JSON text as JSON; text that is not JSON (a damaged row) goes out as a string.
fn raw_json<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    match serde_json::from_str::<&serde_json::value::RawValue>(text) {
        Ok(raw) => raw.serialize(serializer),
        Err(_) => serializer.serialize_str(text),
    }
}

/// A row type of an export: its CSV columns (in order) and fields; NDJSON uses `Serialize`.
pub trait ExportRow: Serialize {
    const COLUMNS: &'static [&'static str];

    /// The CSV fields, in `COLUMNS` order.
    fn csv_fields(&self) -> Vec<Cow<'_, str>>;
}

fn opt(value: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(value.as_deref().unwrap_or(""))
}

impl ExportRow for EventRow {
    const COLUMNS: &'static [&'static str] = &[
        "seq",
        "occurred_at",
        "application_id",
        "tenant_id",
        "level_id",
        "actor",
        "action",
        "payload",
        "hash",
    ];

    fn csv_fields(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Owned(self.seq.to_string()),
            Cow::Borrowed(&self.occurred_at),
            Cow::Borrowed(&self.application_id),
            Cow::Borrowed(&self.tenant_id),
            Cow::Borrowed(&self.level_id),
            Cow::Borrowed(&self.actor),
            Cow::Borrowed(&self.action),
            Cow::Borrowed(&self.payload),
            Cow::Borrowed(&self.hash),
        ]
    }
}

impl ExportRow for DecisionRow {
    const COLUMNS: &'static [&'static str] = &[
        "decision_id",
        "application_id",
        "tenant_id",
        "level_id",
        "outcome",
        "reasons",
        "remediation",
        "state",
        "proposed_by",
        "proposed_at",
        "confirmed_by",
        "reviewed_at",
        "message_to_applicant",
    ];

    fn csv_fields(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Borrowed(&self.decision_id),
            Cow::Borrowed(&self.application_id),
            Cow::Borrowed(&self.tenant_id),
            Cow::Borrowed(&self.level_id),
            Cow::Borrowed(&self.outcome),
            Cow::Owned(self.reasons.join(";")),
            Cow::Owned(self.remediation.join(";")),
            Cow::Borrowed(&self.state),
            Cow::Borrowed(&self.proposed_by),
            Cow::Borrowed(&self.proposed_at),
            opt(&self.confirmed_by),
            opt(&self.reviewed_at),
            opt(&self.message_to_applicant),
        ]
    }
}

/// What the manifest of a CSV export says about its cells (`csv_cells`).
pub const CSV_CELLS_NOTE: &str = "formula injection guard (OWASP CSV injection guidance): a cell \
     that begins with =, +, -, @, a tab or a carriage return, or with ', is written with one ' in \
     front, so that a spreadsheet shows it as text; remove one leading ' from such a cell to get \
     the value (audit hashes are over the value)";

/// Guards a CSV cell against formula injection: a spreadsheet runs a cell that begins with `=`,
/// `+`, `-`, `@`, tab or carriage return, so such a cell gets a `'` in front (OWASP). A cell that
/// begins with `'` gets one too, so that removing one leading `'` always gives the value back.
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    match value.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// A row that could not be encoded.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode an export row: {0}")]
pub struct EncodeError(String);

/// Encodes rows into bytes appended to a caller's buffer, one row at a time: the caller decides when
/// to hand the bytes on, so memory stays bounded whatever the number of rows.
#[derive(Debug)]
pub struct RowEncoder {
    format: ExportFormat,
    csv: csv::WriterBuilder,
}

/// The csv writer's own buffer; a longer field is written through in pieces.
const CSV_BUFFER: usize = 1024;

impl RowEncoder {
    pub fn new(format: ExportFormat) -> Self {
        let mut csv = csv::WriterBuilder::new();
        csv.has_headers(false)
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .buffer_capacity(CSV_BUFFER);
        Self { format, csv }
    }

    fn csv_record<'a>(
        &self,
        fields: impl IntoIterator<Item = &'a [u8]>,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let mut writer = self.csv.from_writer(out);
        writer
            .write_record(fields)
            .map_err(|e| EncodeError(e.to_string()))?;
        writer.flush().map_err(|e| EncodeError(e.to_string()))
    }

    /// What starts the file: the CSV header row; nothing for NDJSON.
    pub fn header<R: ExportRow>(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self.format {
            ExportFormat::Csv => self.csv_record(R::COLUMNS.iter().map(|c| c.as_bytes()), out),
            ExportFormat::Ndjson => Ok(()),
        }
    }

    /// Appends one row.
    pub fn row<R: ExportRow>(&self, row: &R, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self.format {
            ExportFormat::Csv => {
                let fields = row.csv_fields();
                let cells: Vec<Cow<'_, str>> = fields.iter().map(|f| csv_cell(f)).collect();
                self.csv_record(cells.iter().map(|c| c.as_bytes()), out)
            }
            ExportFormat::Ndjson => {
                serde_json::to_writer(&mut *out, row).map_err(|e| EncodeError(e.to_string()))?;
                out.push(b'\n');
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> EventRow {
        EventRow {
            seq: 7,
            occurred_at: "2026-11-22T08:00:00.000000Z".into(),
            application_id: "a".into(),
            tenant_id: "t".into(),
            level_id: "l".into(),
            actor: "staff:s".into(),
            action: "application.noted".into(),
            payload: "{\"note\":\"said \\\"hi\\\", then\\nleft\"}".into(),
            hash: "ab".into(),
        }
    }

    fn decision() -> DecisionRow {
        DecisionRow {
            decision_id: "d".into(),
            application_id: "a".into(),
            tenant_id: "t".into(),
            level_id: "l".into(),
            outcome: "reject".into(),
            reasons: vec!["face_mismatch".into(), "data_mismatch".into()],
            remediation: vec![],
            state: "confirmed".into(),
            proposed_by: "p@example.com".into(),
            proposed_at: "2026-11-22T08:00:00.000000Z".into(),
            confirmed_by: Some("c@example.com".into()),
            reviewed_at: None,
            message_to_applicant: Some("Line one\r\nline \"two\"".into()),
        }
    }

    fn encode<R: ExportRow>(format: ExportFormat, rows: &[R]) -> String {
        let encoder = RowEncoder::new(format);
        let mut out = Vec::new();
        encoder.header::<R>(&mut out).expect("header");
        for row in rows {
            encoder.row(row, &mut out).expect("row");
        }
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn csv_has_a_header_and_quotes_per_rfc_4180() {
        let text = encode(ExportFormat::Csv, &[event()]);
        assert_eq!(
            text,
            "seq,occurred_at,application_id,tenant_id,level_id,actor,action,payload,hash\r\n\
             7,2026-11-22T08:00:00.000000Z,a,t,l,staff:s,application.noted,\
             \"{\"\"note\"\":\"\"said \\\"\"hi\\\"\", then\\nleft\"\"}\",ab\r\n"
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let record = reader.records().next().expect("row").expect("parses");
        assert_eq!(&record[7], event().payload);
    }

    #[test]
    fn decision_reasons_join_with_semicolons_in_csv_and_stay_arrays_in_ndjson() {
        let csv_text = encode(ExportFormat::Csv, &[decision()]);
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        assert_eq!(
            reader.headers().expect("header").iter().collect::<Vec<_>>(),
            DecisionRow::COLUMNS
        );
        let record = reader.records().next().expect("row").expect("parses");
        assert_eq!(&record[5], "face_mismatch;data_mismatch");
        assert_eq!(&record[6], "");
        assert_eq!(&record[10], "c@example.com");
        assert_eq!(&record[11], "", "no review time is an empty field");
        assert_eq!(&record[12], "Line one\r\nline \"two\"");

        let ndjson = encode(ExportFormat::Ndjson, &[decision(), decision()]);
        let lines: Vec<&str> = ndjson.lines().collect();
        assert_eq!(
            lines.len(),
            2,
            "one object per line, even with newlines in values"
        );
        let value: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
        assert_eq!(
            value["reasons"],
            serde_json::json!(["face_mismatch", "data_mismatch"])
        );
        assert_eq!(value["reviewed_at"], serde_json::Value::Null);
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_written_as_text() {
        for formula in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=quoted"] {
            let row = DecisionRow {
                message_to_applicant: Some(formula.into()),
                ..decision()
            };
            let text = encode(ExportFormat::Csv, &[row]);
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let record = reader.records().next().expect("row").expect("parses");
            assert_eq!(record[12], format!("'{formula}"), "{formula:?}");
            assert_eq!(
                &record[12][1..],
                formula,
                "one leading ' removed gives the value"
            );
        }
        let plain = encode(ExportFormat::Csv, &[decision()]);
        assert!(!plain.contains('\''), "other cells are untouched: {plain}");
        let ndjson = encode(
            ExportFormat::Ndjson,
            &[DecisionRow {
                message_to_applicant: Some("=1+2".into()),
                ..decision()
            }],
        );
        assert!(
            ndjson.contains("\"=1+2\""),
            "NDJSON is not a spreadsheet's: {ndjson}"
        );
    }

    #[test]
    fn ndjson_embeds_the_payload_byte_for_byte() {
        let ndjson = encode(ExportFormat::Ndjson, &[event()]);
        assert!(ndjson.ends_with('\n') && ndjson.lines().count() == 1);
        assert!(ndjson.contains(&format!("\"payload\":{},", event().payload)));
        let damaged = EventRow {
            payload: "not json".into(),
            ..event()
        };
        let text = encode(ExportFormat::Ndjson, &[damaged]);
        assert!(text.contains("\"payload\":\"not json\""), "{text}");
    }

    #[test]
    fn filters_parse_days_as_whole_days_and_refuse_nonsense() {
        let filters = ExportFilters::parse(FilterInput {
            status: "review",
            from: "2026-11-01",
            to: "2026-11-30",
            ..FilterInput::default()
        })
        .expect("valid");
        assert_eq!(filters.status, Some(ApplicationStatus::Review));
        assert_eq!(
            filters.from_text().as_deref(),
            Some("2026-11-01T00:00:00.000000Z")
        );
        assert_eq!(
            filters.to_text().as_deref(),
            Some("2026-11-30T23:59:59.999999Z")
        );
        let exact = ExportFilters::parse(FilterInput {
            to: "2026-11-30T10:00:00+01:00",
            ..FilterInput::default()
        })
        .expect("valid");
        assert_eq!(
            exact.to_text().as_deref(),
            Some("2026-11-30T09:00:00.000000Z")
        );
        assert_eq!(
            ExportFilters::parse(FilterInput::default()).expect("none"),
            ExportFilters::default()
        );
        for (input, field) in [
            (
                FilterInput {
                    tenant: "acme",
                    ..FilterInput::default()
                },
                "tenant:",
            ),
            (
                FilterInput {
                    level: "x",
                    ..FilterInput::default()
                },
                "level:",
            ),
            (
                FilterInput {
                    status: "approved",
                    ..FilterInput::default()
                },
                "status:",
            ),
            (
                FilterInput {
                    from: "2026-02-30",
                    ..FilterInput::default()
                },
                "from:",
            ),
            (
                FilterInput {
                    to: "yesterday",
                    ..FilterInput::default()
                },
                "to:",
            ),
            (
                FilterInput {
                    from: "2026-12-01",
                    to: "2026-11-01",
                    ..FilterInput::default()
                },
                "from:",
            ),
        ] {
            let refused = ExportFilters::parse(input).expect_err(field);
            assert!(refused.message.starts_with(field), "{}", refused.message);
        }
    }

    #[test]
    fn requests_name_a_kind_and_a_format() {
        let request =
            ExportRequest::parse("decisions", "ndjson", FilterInput::default()).expect("valid");
        assert_eq!(request.kind, ExportKind::Decisions);
        assert_eq!(request.format, ExportFormat::Ndjson);
        assert!(ExportRequest::parse("people", "csv", FilterInput::default()).is_err());
        assert!(ExportRequest::parse("events", "xlsx", FilterInput::default()).is_err());
    }

    #[test]
    fn export_ids_parse_only_in_their_canonical_form() {
        let id = ExportId::generate();
        assert_eq!(id.to_string().parse::<ExportId>(), Ok(id));
        assert_eq!(id.file_name(ExportFormat::Csv), format!("{id}.csv"));
        let upper = id.to_string().to_uppercase();
        let simple = id.to_string().replace('-', "");
        for bad in [
            upper.as_str(),
            simple.as_str(),
            "../../etc/passwd",
            "",
            "..%2F..%2Fkycdesk.sqlite",
            &format!("{{{id}}}"),
            &format!("urn:uuid:{id}"),
        ] {
            assert!(bad.parse::<ExportId>().is_err(), "{bad}");
        }
        let manifest_id: Result<ExportId, _> = serde_json::from_str("\"../x\"");
        assert!(manifest_id.is_err());
    }
}
