//! HTTP client for the Vouched identity verification API.
//!
//! Only the two calls the KYC flow needs are modelled: submitting an `id-verification` job
//! (`POST {base}/api/jobs`) and looking one up by id (`GET {base}/api/jobs?id=...`). Both return
//! the job JSON *verbatim* in [`Job::raw`]: it is kept as evidence and fed to the normalizer
//! (`providers::normalize::vouched`), so this module only reads the few fields it needs to route
//! the answer (`id`, `status`) and never re-serializes it.
//!
//! Failures are sorted by what the caller should do next ([`VouchedError::is_transient`]):
//! retry later, give up, or report a provider bug. The API key is a credential: it is never put
//! in a URL, in `Debug` output or in any error text, even when the server echoes it back.
//!
//! Timeouts and redirect policy belong to the `reqwest::Client` the caller passes in; this client
//! relies on that timeout to bound slow servers, and bounds response *size* itself.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Response, StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Largest response body accepted from Vouched. A job with its extracted fields is a few KiB;
/// the cap only exists so a broken or hostile server cannot make us buffer unbounded data.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// How many characters of an error body are kept in [`VouchedError`]: enough to see Vouched's
/// own error message, short enough for a log line.
const EXCERPT_CHARS: usize = 200;

/// How much of an error body is read to build the excerpt. Larger than [`EXCERPT_CHARS`] so the
/// key can be scrubbed from the whole visible prefix before it is cut.
const ERROR_BODY_BYTES: usize = 8 * 1024;

/// Header carrying the API key, as Vouched names it.
const API_KEY_HEADER: &str = "X-API-Key";

/// The only job type this platform submits.
const JOB_TYPE: &str = "id-verification";

/// Placeholder written wherever the API key would otherwise appear in text.
const REDACTED: &str = "[redacted]";

/// Why a Vouched call failed, sorted by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
pub enum VouchedError {
    /// Timeout, connection failure, 5xx, 429 or 408: the same request may well succeed later.
    #[error("Vouched is temporarily unavailable: {0}")]
    Transient(String),
    /// Vouched answered with a client error (4xx other than 429/408, or an unfollowed 3xx):
    /// retrying the same request will not help. `excerpt` is the first 200 characters of the
    /// body, with the API key and control characters removed.
    #[error("Vouched refused the request (HTTP {status}): {excerpt}")]
    Refused { status: u16, excerpt: String },
    /// Vouched answered 2xx but not with the JSON we expect (or with an oversized body): a
    /// provider-side bug or an API change, worth an alert rather than a retry.
    #[error("Vouched sent an unexpected response: {0}")]
    Malformed(String),
    /// Our own input was unusable (base URL, API key, job request or job id), so nothing was
    /// sent. Kept apart from `Refused` because it is a bug or misconfiguration on our side.
    #[error("invalid Vouched request: {0}")]
    InvalidInput(String),
}

impl VouchedError {
    /// Whether retrying the same call later may succeed. Only transport trouble and
    /// overload/server errors qualify: a refused, malformed or invalid request would fail the
    /// same way again.
    pub fn is_transient(&self) -> bool {
        matches!(self, VouchedError::Transient(_))
    }
}

/// The state Vouched reports for a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// Still being processed (asynchronous jobs submitted with a callback URL).
    Active,
    /// Processing finished; `result` and `errors` are final.
    Completed,
    /// Deleted on Vouched's side (e.g. a data-removal request): there is no result to use.
    Removed,
    /// A status this client does not know; kept rather than rejected so an API addition does not
    /// lose a job, and the normalizer treats anything but `completed` as unfinished anyway.
    Other(String),
}

impl JobStatus {
    fn from_wire(status: &str) -> Self {
        match status {
            "active" => JobStatus::Active,
            "completed" => JobStatus::Completed,
            "removed" => JobStatus::Removed,
            other => JobStatus::Other(other.to_owned()),
        }
    }
}

/// A Vouched job as returned by [`VouchedClient::submit`] or [`VouchedClient::fetch`].
#[derive(Clone, PartialEq, Eq)]
pub struct Job {
    /// Vouched's job id, used to fetch it again and to match callbacks.
    pub id: String,
    /// The job's `status`, for deciding whether the result is final.
    pub status: JobStatus,
    /// The job JSON exactly as Vouched sent it: stored as evidence and normalized later.
    pub raw: String,
}

/// `raw` holds the applicant's personal data read off their ID, so `Debug` (and therefore any
/// log line that formats a `Job`) shows only its size.
impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("raw", &format_args!("<{} bytes>", self.raw.len()))
            .finish()
    }
}

/// What to submit for an `id-verification` job. Photos are raw image bytes; base64 encoding for
/// the wire is done by the client.
#[derive(Clone, Default)]
pub struct JobRequest {
    /// Applicant's first name, matched by Vouched against the name read off the ID.
    pub first_name: String,
    /// Applicant's last name, matched like `first_name`.
    pub last_name: String,
    /// Date of birth as ISO `YYYY-MM-DD` (our format); sent as `MM/DD/YYYY` (Vouched's).
    pub date_of_birth: Option<String>,
    /// Front of the ID document. Required by Vouched.
    pub id_photo: Vec<u8>,
    /// Back of the ID document, for documents that carry data on the back.
    pub id_photo_back: Option<Vec<u8>>,
    /// Selfie, enabling the face-match and selfie checks.
    pub user_photo: Option<Vec<u8>>,
    /// Where Vouched should POST the finished job; when set the job is processed asynchronously.
    pub callback_url: Option<String>,
    /// Provider-specific parameters the tenant passed through (seed 003's nested `params`); the
    /// fields above take precedence over any of the same name.
    pub passthrough: serde_json::Map<String, serde_json::Value>,
}

/// Photos would print as megabytes of numbers and names/dob are personal data, so `Debug` shows
/// only what helps debugging the request's shape.
impl fmt::Debug for JobRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = |photo: &Option<Vec<u8>>| photo.as_ref().map(Vec::len);
        f.debug_struct("JobRequest")
            .field("first_name", &REDACTED)
            .field("last_name", &REDACTED)
            .field(
                "date_of_birth",
                &self.date_of_birth.as_ref().map(|_| REDACTED),
            )
            .field("id_photo_bytes", &self.id_photo.len())
            .field("id_photo_back_bytes", &size(&self.id_photo_back))
            .field("user_photo_bytes", &size(&self.user_photo))
            .field("callback_url", &self.callback_url)
            .field(
                "passthrough_keys",
                &self.passthrough.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Client for one Vouched account. Cheap to clone: the `reqwest::Client` inside is shared.
#[derive(Clone)]
pub struct VouchedClient {
    /// The API root as configured, kept for `Debug`.
    base_url: Url,
    /// `{base}/api/jobs`, resolved once so every call uses the same, validated endpoint.
    jobs_url: Url,
    /// The key as text, only to scrub it out of anything the server sends back.
    api_key: String,
    /// The key as a header value, marked sensitive so `http`'s own `Debug` hides it too.
    api_key_header: HeaderValue,
    http: reqwest::Client,
}

/// Hand-written so the API key can never end up in a log through `{:?}`.
impl fmt::Debug for VouchedClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VouchedClient")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &REDACTED)
            .finish_non_exhaustive()
    }
}

impl VouchedClient {
    /// Builds a client for the API rooted at `base_url` (e.g. `https://verify.vouched.id`, or a
    /// path prefix such as `http://127.0.0.1:8080/vouched`).
    ///
    /// `http` is the caller's client, so timeouts, redirect policy and TLS settings are decided
    /// in one place for all providers. It should have a timeout: a server that never answers
    /// is only cut off by it.
    ///
    /// Fails with [`VouchedError::InvalidInput`] when the URL is not an absolute http(s) URL, or
    /// carries credentials, a query or a fragment (they would be silently lost or leaked in
    /// error messages), or when the key is empty or not visible ASCII (a header could not
    /// carry it, and a stray newline from a config file is better caught here than as a 401).
    pub fn new(base_url: &str, api_key: &str, http: reqwest::Client) -> Result<Self, VouchedError> {
        let invalid = |reason: &str| VouchedError::InvalidInput(reason.to_owned());
        let mut base = Url::parse(base_url)
            .map_err(|e| VouchedError::InvalidInput(format!("base URL does not parse: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("base URL must be http or https"));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(invalid("base URL must not carry credentials"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("base URL must not have a query or fragment"));
        }
        if api_key.is_empty() || !api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid("API key must be non-empty visible ASCII"));
        }
        let mut api_key_header =
            HeaderValue::from_str(api_key).map_err(|_| invalid("API key is not a header value"))?;
        api_key_header.set_sensitive(true);

        // `Url::join` replaces the last path segment unless the path ends with '/', which would
        // turn `http://host/vouched` + `api/jobs` into `http://host/api/jobs`.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let jobs_url = base
            .join("api/jobs")
            .map_err(|e| VouchedError::InvalidInput(format!("base URL cannot be joined: {e}")))?;

        Ok(Self {
            base_url: base,
            jobs_url,
            api_key: api_key.to_owned(),
            api_key_header,
            http,
        })
    }

    /// Submits an `id-verification` job and returns the job Vouched created.
    ///
    /// Without a callback URL Vouched processes the job before answering, so the job is usually
    /// [`JobStatus::Completed`]; with one it is usually [`JobStatus::Active`] and the result
    /// arrives at the callback. The request is validated first (dob format, non-empty ID
    /// photo, callback URL), so a bad request fails with [`VouchedError::InvalidInput`] without
    /// costing a Vouched call.
    ///
    /// Not idempotent: retrying after a [`VouchedError::Transient`] timeout may create a second
    /// job if the first request did reach Vouched.
    pub async fn submit(&self, req: &JobRequest) -> Result<Job, VouchedError> {
        let body = wire_request(req)?;
        let request = self
            .http
            .post(self.jobs_url.clone())
            .header(API_KEY_HEADER, self.api_key_header.clone())
            .header(ACCEPT, "application/json")
            .json(&body);
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let text = self.success_body(response).await?;
        self.parse_job(&text, "job")
    }

    /// Looks a job up by id; `Ok(None)` when Vouched does not know it (e.g. it was never
    /// created under this account).
    ///
    /// Vouched answers a list; a listed job whose id is not `job_id` is treated as
    /// [`VouchedError::Malformed`] rather than returned, because attaching another applicant's
    /// job as evidence would be far worse than failing.
    pub async fn fetch(&self, job_id: &str) -> Result<Option<Job>, VouchedError> {
        if job_id.is_empty() {
            // An empty `id=` could be read as "no filter" and list every job of the account.
            return Err(VouchedError::InvalidInput("job id is empty".to_owned()));
        }
        let mut url = self.jobs_url.clone();
        url.query_pairs_mut().append_pair("id", job_id);
        let request = self
            .http
            .get(url)
            .header(API_KEY_HEADER, self.api_key_header.clone())
            .header(ACCEPT, "application/json");
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let text = self.success_body(response).await?;

        let list: JobList<'_> = self.json_object(&text, "job list")?;
        let mut found = None;
        for item in list.items {
            let job = self.parse_job(item.get(), "listed job")?;
            if job.id != job_id {
                return Err(self.malformed(format_args!(
                    "asked for job {job_id:?}, got job {:?}",
                    job.id
                )));
            }
            found = Some(job);
        }
        Ok(found)
    }

    /// Reads the body of a 2xx answer, or turns any other answer into the matching error.
    async fn success_body(&self, response: Response) -> Result<String, VouchedError> {
        let status = response.status();
        if !status.is_success() {
            return Err(self.status_error(status, response).await);
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_BODY_BYTES as u64)
        {
            // Refuse before reading a byte: the declared size alone is enough to know.
            return Err(self.malformed(format_args!("body larger than {MAX_BODY_BYTES} bytes")));
        }
        let (bytes, truncated) = read_capped(response, MAX_BODY_BYTES)
            .await
            .map_err(|e| self.transport_error(e))?;
        if truncated {
            return Err(self.malformed(format_args!("body larger than {MAX_BODY_BYTES} bytes")));
        }
        String::from_utf8(bytes).map_err(|_| self.malformed(format_args!("body is not UTF-8")))
    }

    /// Sorts a non-2xx answer into transient or refused, keeping an excerpt of its body.
    async fn status_error(&self, status: StatusCode, response: Response) -> VouchedError {
        // The status decides; a body that cannot be read in full just gives a shorter excerpt.
        let bytes = match read_capped(response, ERROR_BODY_BYTES).await {
            Ok((bytes, _)) => bytes,
            Err(_) => Vec::new(),
        };
        let excerpt = self.excerpt(&String::from_utf8_lossy(&bytes));
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
        {
            VouchedError::Transient(format!("HTTP {}: {excerpt}", status.as_u16()))
        } else {
            VouchedError::Refused {
                status: status.as_u16(),
                excerpt,
            }
        }
    }

    /// Reads `id` and `status` off one job whose JSON text is `raw`, keeping `raw` as is.
    fn parse_job(&self, raw: &str, what: &str) -> Result<Job, VouchedError> {
        let fields: JobFields = self.json_object(raw, what)?;
        if fields.id.is_empty() {
            return Err(self.malformed(format_args!("{what}: id is empty")));
        }
        Ok(Job {
            id: fields.id,
            status: JobStatus::from_wire(&fields.status),
            raw: raw.to_owned(),
        })
    }

    /// Deserializes `text`, which must be a JSON object: serde's derived structs also accept
    /// a JSON array of the field values, so `["abc", "completed"]` would otherwise pass as a job.
    fn json_object<'a, T: Deserialize<'a>>(
        &self,
        text: &'a str,
        what: &str,
    ) -> Result<T, VouchedError> {
        if !text.trim_start().starts_with('{') {
            return Err(self.malformed(format_args!("{what}: not a JSON object")));
        }
        serde_json::from_str(text).map_err(|e| self.malformed(format_args!("{what}: {e}")))
    }

    /// Transport failures (timeout, refused connection, reset mid-body) are all worth a retry,
    /// except a request reqwest could not even build, which would fail again.
    fn transport_error(&self, error: reqwest::Error) -> VouchedError {
        let text = self.scrub(&error_chain(&error));
        if error.is_builder() {
            VouchedError::InvalidInput(text)
        } else {
            VouchedError::Transient(text)
        }
    }

    fn malformed(&self, reason: fmt::Arguments<'_>) -> VouchedError {
        VouchedError::Malformed(self.scrub(&reason.to_string()))
    }

    /// The first [`EXCERPT_CHARS`] characters of a body, scrubbed.
    fn excerpt(&self, body: &str) -> String {
        self.scrub(body).chars().take(EXCERPT_CHARS).collect()
    }

    /// Removes the API key (servers do echo it back, e.g. "invalid key: ...") and control
    /// characters (a body could otherwise forge extra log lines) from text bound for an error.
    fn scrub(&self, text: &str) -> String {
        text.replace(&self.api_key, REDACTED)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    }
}

/// A job as far as this client reads it; everything else stays in [`Job::raw`].
#[derive(Deserialize)]
struct JobFields {
    id: String,
    status: String,
}

/// `GET /api/jobs` answer. Items stay raw so each job is kept byte for byte.
#[derive(Deserialize)]
struct JobList<'a> {
    #[serde(borrow)]
    items: Vec<&'a RawValue>,
}

/// `POST /api/jobs` body, in Vouched's field names.
#[derive(Serialize)]
struct WireRequest<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    params: WireParams<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireParams<'a> {
    first_name: &'a str,
    last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dob: Option<String>,
    id_photo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_photo_back: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_photo: Option<String>,
    #[serde(flatten)]
    passthrough: serde_json::Map<String, serde_json::Value>,
}

/// Our own wire fields: a passed-through parameter of the same name is dropped, so that what
/// Vouched checks is always the applicant's data as we hold it.
const OWN_PARAMS: [&str; 6] = [
    "firstName",
    "lastName",
    "dob",
    "idPhoto",
    "idPhotoBack",
    "userPhoto",
];

/// Validates a [`JobRequest`] and converts it to Vouched's wire format.
fn wire_request(req: &JobRequest) -> Result<WireRequest<'_>, VouchedError> {
    if req.id_photo.is_empty() {
        return Err(VouchedError::InvalidInput("ID photo is empty".to_owned()));
    }
    if let Some(callback) = &req.callback_url {
        let url = Url::parse(callback)
            .map_err(|e| VouchedError::InvalidInput(format!("callback URL does not parse: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(VouchedError::InvalidInput(
                "callback URL must be http or https".to_owned(),
            ));
        }
    }
    let dob = req.date_of_birth.as_deref().map(us_date).transpose()?;
    Ok(WireRequest {
        kind: JOB_TYPE,
        callback_url: req.callback_url.as_deref(),
        params: WireParams {
            first_name: &req.first_name,
            last_name: &req.last_name,
            dob,
            id_photo: BASE64.encode(&req.id_photo),
            id_photo_back: req.id_photo_back.as_ref().map(|p| BASE64.encode(p)),
            user_photo: req.user_photo.as_ref().map(|p| BASE64.encode(p)),
            passthrough: req
                .passthrough
                .iter()
                .filter(|(key, _)| !OWN_PARAMS.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        },
    })
}

/// Converts an ISO `YYYY-MM-DD` date to Vouched's `MM/DD/YYYY`, rejecting anything that is not
/// a real calendar date: a swapped month/day would otherwise surface only as a birth-date
/// mismatch on the applicant's verification.
fn us_date(iso: &str) -> Result<String, VouchedError> {
    let invalid = || VouchedError::InvalidInput("date of birth must be a YYYY-MM-DD date".into());
    let b = iso.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b[range.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| &iso[range])
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(invalid());
    }
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(invalid());
    };
    let parse = |s: &str| s.parse::<u32>().map_err(|_| invalid());
    let (y, m, d) = (parse(year)?, parse(month)?, parse(day)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(invalid()),
    };
    if d == 0 || d > days_in_month {
        return Err(invalid());
    }
    Ok(format!("{month}/{day}/{year}"))
}

/// Reads at most `limit` bytes of a body; the flag says whether more was on offer. Reading
/// chunk by chunk is what enforces the cap when no (or a false) `Content-Length` was sent.
async fn read_capped(
    mut response: Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let declared = response.content_length().unwrap_or(0);
    let mut buf = Vec::with_capacity(usize::try_from(declared).unwrap_or(limit).min(limit));
    while let Some(chunk) = response.chunk().await? {
        let room = limit - buf.len();
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            return Ok((buf, true));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok((buf, false))
}

/// reqwest's own message is generic ("error sending request"); the cause chain says what
/// actually happened (timed out, connection refused...).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(key: &str) -> VouchedClient {
        VouchedClient::new("http://127.0.0.1:9", key, reqwest::Client::new()).expect("valid")
    }

    #[test]
    fn iso_dates_become_us_dates_and_impossible_dates_are_refused() {
        assert_eq!(us_date("1990-06-22").expect("valid"), "06/22/1990");
        assert_eq!(us_date("2000-02-29").expect("leap year"), "02/29/2000");
        for bad in [
            "1990-6-22",
            "06/22/1990",
            "1990-13-01",
            "1990-00-10",
            "1990-04-31",
            "1900-02-29",
            "1990-06-00",
            "199a-06-22",
            "1990-06-22T00:00",
            "１９９０-06-22",
            "",
        ] {
            assert!(
                matches!(us_date(bad), Err(VouchedError::InvalidInput(_))),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn statuses_map_and_unknown_ones_are_kept() {
        assert_eq!(JobStatus::from_wire("active"), JobStatus::Active);
        assert_eq!(JobStatus::from_wire("completed"), JobStatus::Completed);
        assert_eq!(JobStatus::from_wire("removed"), JobStatus::Removed);
        assert_eq!(
            JobStatus::from_wire("Completed"),
            JobStatus::Other("Completed".to_owned())
        );
    }

    #[test]
    fn jobs_url_keeps_a_path_prefix() {
        let at_root = VouchedClient::new("https://verify.vouched.id", "k", reqwest::Client::new())
            .expect("valid");
        assert_eq!(
            at_root.jobs_url.as_str(),
            "https://verify.vouched.id/api/jobs"
        );
        let prefixed = VouchedClient::new("http://h:8080/vouched", "k", reqwest::Client::new())
            .expect("valid");
        assert_eq!(prefixed.jobs_url.as_str(), "http://h:8080/vouched/api/jobs");
    }

    #[test]
    fn excerpt_scrubs_key_and_control_characters_then_cuts_at_200_chars() {
        let c = client("s3cret-key");
        let body = format!("bad key s3cret-key\r\nforged line {}", "é".repeat(500));
        let excerpt = c.excerpt(&body);
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS);
        assert!(excerpt.starts_with("bad key [redacted]  forged line éé"));
        assert!(!excerpt.contains("s3cret"));
    }

    #[test]
    fn a_json_array_is_not_a_job() {
        let c = client("k");
        let err = c
            .parse_job(r#"["abc","completed"]"#, "job")
            .expect_err("array refused");
        assert!(matches!(err, VouchedError::Malformed(_)), "{err:?}");
    }

    #[test]
    fn debug_output_hides_the_key_and_personal_data() {
        let c = client("s3cret-key");
        assert!(!format!("{c:?}").contains("s3cret"));
        let req = JobRequest {
            first_name: "Janice".into(),
            date_of_birth: Some("1990-06-22".into()),
            id_photo: vec![7; 1000],
            ..JobRequest::default()
        };
        let shown = format!("{req:?}");
        assert!(
            !shown.contains("Janice") && !shown.contains("1990"),
            "{shown}"
        );
        assert!(shown.contains("id_photo_bytes: 1000"), "{shown}");
    }
}
