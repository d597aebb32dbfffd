//! Keeping audit payloads within the log's size limit: large values are recorded by digest.
//!
//! The audit log refuses a payload over its limit (64 KiB by default). An executor's output is
//! whatever the outside world returned, so writing it as it is could fail the `action.executed` entry
//! after the action took effect. Values whose JSON text is longer than [`INLINE_LIMIT`] are recorded as
//! `{"sha256": ..., "bytes": ..., "head": <the first INLINE_HEAD bytes>}` instead; the caller still gets
//! the full value in the [`crate::Processed`] it returns.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// Longest JSON text (bytes) recorded inline.
pub const INLINE_LIMIT: usize = 16 * 1024;

/// How much of a digested value's text is kept, for a reader of the log.
pub const INLINE_HEAD: usize = 1024;

/// SHA-256 (hex) of the JSON text of `value`.
pub(crate) fn digest_json(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// `value` itself when its JSON text is at most [`INLINE_LIMIT`] bytes, else its digest record.
pub(crate) fn bounded_json(value: &Value) -> Value {
    let text = value.to_string();
    if text.len() <= INLINE_LIMIT {
        return value.clone();
    }
    digest_record(&text)
}

/// `text` as a JSON string when at most [`INLINE_LIMIT`] bytes, else its digest record.
pub(crate) fn bounded_text(text: &str) -> Value {
    if text.len() <= INLINE_LIMIT {
        return Value::String(text.to_owned());
    }
    digest_record(text)
}

fn digest_record(text: &str) -> Value {
    let mut end = INLINE_HEAD.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    json!({
        "sha256": hex::encode(Sha256::digest(text.as_bytes())),
        "bytes": text.len(),
        "head": &text[..end],
    })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn small_values_stay_and_large_ones_become_digests() {
        let small = json!({"ok": 1});
        assert_eq!(bounded_json(&small), small);
        let large = json!({"blob": "é".repeat(INLINE_LIMIT)});
        let record = bounded_json(&large);
        assert_eq!(record["bytes"], large.to_string().len());
        assert_eq!(record["sha256"].as_str().map(str::len), Some(64));
        assert!(record["head"].as_str().unwrap().len() <= INLINE_HEAD);
        assert!(record.to_string().len() < 2 * INLINE_HEAD);
        assert_eq!(bounded_text("why"), json!("why"));
    }
}
