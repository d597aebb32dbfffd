//! The word tables of intent extraction (verbs per category, negations, fillers) and their fast lookup.
//!
//! Words are compared as packed integers: up to 16 ASCII bytes, big-endian and zero padded, in a `u128`
//! ([`WordKey`]), so a lookup compares integers, never strings; the verb table is a hash table built at compile
//! time.

use crate::intent::ActionCategory;

/// A word of up to 16 ASCII bytes packed big-endian into a `u128`, zero padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WordKey {
    key: u128,
    len: usize,
}

impl WordKey {
    /// Packs `word`, or returns `None` if it is longer than 16 bytes.
    pub(crate) fn new(word: &[u8]) -> Option<Self> {
        if word.len() > 16 {
            return None;
        }
        // Shift the bytes in through registers (a byte buffer read back as u128 stalls on store forwarding).
        let mut key = 0u128;
        for &b in word {
            key = (key << 8) | u128::from(b);
        }
        let key = if word.is_empty() {
            0
        } else {
            key << (8 * (16 - word.len()))
        };
        Some(Self {
            key,
            len: word.len(),
        })
    }

    /// Returns the key of a word of `len` bytes whose bytes were shifted into `packed` one by one (the first 16
    /// of them), or `None` if the word is longer than 16 bytes.
    pub(crate) fn from_packed(packed: u128, len: usize) -> Option<Self> {
        match len {
            0 => Some(Self { key: 0, len }),
            1..=16 => Some(Self {
                key: packed << (8 * (16 - len)),
                len,
            }),
            _ => None,
        }
    }

    /// Packs `word` at compile time (same result as [`WordKey::new`]), or returns `None` if it is too long.
    const fn pack(word: &[u8]) -> Option<u128> {
        if word.len() > 16 {
            return None;
        }
        let mut key = 0u128;
        let mut i = 0;
        while i < 16 {
            key <<= 8;
            if i < word.len() {
                key |= word[i] as u128;
            }
            i += 1;
        }
        Some(key)
    }

    /// Packs a word known at compile time to fit.
    const fn of(word: &str) -> u128 {
        match Self::pack(word.as_bytes()) {
            Some(k) => k,
            None => panic!("table words are at most 16 bytes"),
        }
    }

    /// Returns the key of the first `len` bytes.
    fn prefix(self, len: usize) -> Self {
        if len >= self.len {
            return self;
        }
        let drop_bits = 8 * (16 - len);
        // len < self.len <= 16, so 8 <= drop_bits <= 128; a full-width shift means the empty word.
        let key = if drop_bits >= 128 {
            0
        } else {
            (self.key >> drop_bits) << drop_bits
        };
        Self { key, len }
    }

    /// Returns the key with byte `b` appended, or `None` if the word is already 16 bytes.
    fn push(self, b: u8) -> Option<Self> {
        (self.len < 16).then(|| Self {
            key: self.key | (u128::from(b) << (8 * (15 - self.len))),
            len: self.len + 1,
        })
    }

    /// Returns byte `i` (counting from the start) of the word.
    fn byte(self, i: usize) -> u8 {
        // Each byte of the key is one byte of the word: truncation keeps exactly that byte.
        (self.key >> (8 * (15 - i))) as u8
    }

    /// Returns true if and only if the word ends with `suffix` (at most 8 bytes).
    fn ends_with(self, suffix: &[u8]) -> bool {
        let k = suffix.len();
        if k == 0 {
            return true;
        }
        if k > self.len || k > 8 {
            return false;
        }
        let tail = (self.key >> (8 * (16 - self.len))) as u64;
        let mask = if k == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * k)) - 1
        };
        let mut want = 0u64;
        for &b in suffix {
            want = (want << 8) | u64::from(b);
        }
        tail & mask == want
    }
}

/// Returns true if and only if the word negates what follows.
pub(crate) fn is_negation(word: WordKey) -> bool {
    const NOT: u128 = WordKey::of("not");
    const NO: u128 = WordKey::of("no");
    const NEVER: u128 = WordKey::of("never");
    const DONT: u128 = WordKey::of("dont");
    const CANNOT: u128 = WordKey::of("cannot");
    const WITHOUT: u128 = WordKey::of("without");
    // Dispatch on the length first: one integer comparison instead of a chain of them.
    let listed = match word.len {
        2 => word.key == NO,
        3 => word.key == NOT,
        4 => word.key == DONT,
        5 => word.key == NEVER,
        6 => word.key == CANNOT,
        7 => word.key == WITHOUT,
        _ => false,
    };
    listed || word.ends_with(b"n't")
}

/// Returns true if and only if the word is politeness or a prefix that does not end a clause start.
pub(crate) fn is_filler(word: WordKey) -> bool {
    const PLEASE: u128 = WordKey::of("please");
    const KINDLY: u128 = WordKey::of("kindly");
    const SUDO: u128 = WordKey::of("sudo");
    const CAN: u128 = WordKey::of("can");
    const COULD: u128 = WordKey::of("could");
    const WOULD: u128 = WordKey::of("would");
    const YOU: u128 = WordKey::of("you");
    const NOW: u128 = WordKey::of("now");
    const JUST: u128 = WordKey::of("just");
    const GO: u128 = WordKey::of("go");
    const AHEAD: u128 = WordKey::of("ahead");
    // Dispatch on the length first, so a word is compared with at most three keys.
    match word.len {
        2 => word.key == GO,
        3 => matches!(word.key, CAN | YOU | NOW),
        4 => matches!(word.key, SUDO | JUST),
        5 => matches!(word.key, COULD | WOULD | AHEAD),
        6 => matches!(word.key, PLEASE | KINDLY),
        _ => false,
    }
}

/// Looks a word up in the verb table, as is or after stripping `-ing`, `-ed`, `-es`, `-s` or `-d` (then also
/// trying the stem plus `e`, and the stem without a doubled final consonant: "deleting" → "delete",
/// "stopping" → "stop").
pub(crate) fn lookup_verb(word: WordKey) -> Option<(&'static str, ActionCategory)> {
    if let Some(hit) = verb(word) {
        return Some(hit);
    }
    // Every suffix ends in g, d or s: most words skip the loop.
    if word.len < 4 || !matches!(word.byte(word.len - 1), b'g' | b'd' | b's') {
        return None;
    }
    for suffix in [&b"ing"[..], b"ed", b"es", b"s", b"d"] {
        if !word.ends_with(suffix) || word.len < suffix.len() + 2 {
            continue;
        }
        let stem = word.prefix(word.len - suffix.len());
        if let Some(hit) = verb(stem) {
            return Some(hit);
        }
        if let Some(hit) = stem.push(b'e').and_then(verb) {
            return Some(hit);
        }
        if stem.len >= 3
            && stem.byte(stem.len - 1) == stem.byte(stem.len - 2)
            && let Some(hit) = verb(stem.prefix(stem.len - 1))
        {
            return Some(hit);
        }
    }
    None
}

/// The verb table: (word, dictionary form, category), sorted by word (so also by [`WordKey`]).
const VERBS: &[(&str, &str, ActionCategory)] = {
    use ActionCategory::{Communicate, Create, Delete, Execute, Read, Update};
    &[
        ("add", "add", Create),
        ("adjust", "adjust", Update),
        ("alert", "alert", Communicate),
        ("alter", "alter", Update),
        ("announce", "announce", Communicate),
        ("append", "append", Update),
        ("bash", "sh", Execute),
        ("broadcast", "broadcast", Communicate),
        ("build", "build", Create),
        ("call", "call", Communicate),
        ("cat", "cat", Read),
        ("change", "change", Update),
        ("check", "check", Read),
        ("chmod", "chmod", Update),
        ("chown", "chown", Update),
        ("clean", "clean", Delete),
        ("cleanup", "clean", Delete),
        ("clear", "clear", Delete),
        ("clone", "clone", Create),
        ("compile", "compile", Execute),
        ("configure", "configure", Update),
        ("contact", "contact", Communicate),
        ("copy", "copy", Create),
        ("count", "count", Read),
        ("cp", "copy", Create),
        ("create", "create", Create),
        ("curl", "curl", Read),
        ("dd", "dd", Execute),
        ("delete", "delete", Delete),
        ("deploy", "deploy", Execute),
        ("describe", "describe", Read),
        ("destroy", "destroy", Delete),
        ("disable", "disable", Update),
        ("display", "display", Read),
        ("download", "download", Read),
        ("drop", "drop", Delete),
        ("edit", "edit", Update),
        ("email", "email", Communicate),
        ("enable", "enable", Update),
        ("erase", "erase", Delete),
        ("eval", "eval", Execute),
        ("exec", "execute", Execute),
        ("execute", "execute", Execute),
        ("fetch", "fetch", Read),
        ("find", "find", Read),
        ("fix", "fix", Update),
        ("format", "format", Delete),
        ("forward", "forward", Communicate),
        ("generate", "generate", Create),
        ("get", "get", Read),
        ("grant", "grant", Update),
        ("grep", "grep", Read),
        ("init", "initialize", Create),
        ("initialise", "initialize", Create),
        ("initialize", "initialize", Create),
        ("insert", "insert", Create),
        ("inspect", "inspect", Read),
        ("install", "install", Execute),
        ("invite", "invite", Communicate),
        ("invoke", "invoke", Execute),
        ("kill", "kill", Execute),
        ("killall", "kill", Execute),
        ("launch", "launch", Execute),
        ("list", "list", Read),
        ("ls", "ls", Read),
        ("mail", "email", Communicate),
        ("make", "make", Create),
        ("message", "message", Communicate),
        ("migrate", "migrate", Update),
        ("mkdir", "mkdir", Create),
        ("mkfs", "mkfs", Delete),
        ("modify", "modify", Update),
        ("move", "move", Update),
        ("mv", "move", Update),
        ("node", "interpret", Execute),
        ("notify", "notify", Communicate),
        ("open", "open", Read),
        ("patch", "patch", Update),
        ("pkill", "kill", Execute),
        ("post", "post", Communicate),
        ("print", "print", Read),
        ("provision", "provision", Create),
        ("publish", "publish", Communicate),
        ("purge", "purge", Delete),
        ("python", "interpret", Execute),
        ("query", "query", Read),
        ("read", "read", Read),
        ("reboot", "reboot", Execute),
        ("register", "register", Create),
        ("remove", "remove", Delete),
        ("rename", "rename", Update),
        ("replace", "replace", Update),
        ("reply", "reply", Communicate),
        ("reset", "reset", Update),
        ("respond", "respond", Communicate),
        ("restart", "restart", Execute),
        ("revoke", "revoke", Update),
        ("rm", "rm", Delete),
        ("rmdir", "rmdir", Delete),
        ("run", "run", Execute),
        ("search", "search", Read),
        ("select", "select", Read),
        ("send", "send", Communicate),
        ("set", "set", Update),
        ("sh", "sh", Execute),
        ("share", "share", Communicate),
        ("show", "show", Read),
        ("shred", "shred", Delete),
        ("shutdown", "shutdown", Execute),
        ("start", "start", Execute),
        ("stop", "stop", Execute),
        ("summarise", "summarize", Read),
        ("summarize", "summarize", Read),
        ("systemctl", "systemctl", Execute),
        ("tell", "tell", Communicate),
        ("terminate", "terminate", Execute),
        ("touch", "touch", Create),
        ("trigger", "trigger", Execute),
        ("truncate", "truncate", Delete),
        ("tweet", "tweet", Communicate),
        ("uninstall", "uninstall", Delete),
        ("unlink", "unlink", Delete),
        ("update", "update", Update),
        ("upgrade", "upgrade", Update),
        ("upload", "upload", Communicate),
        ("view", "view", Read),
        ("wget", "wget", Read),
        ("wipe", "wipe", Delete),
        ("write", "write", Create),
        ("zsh", "sh", Execute),
    ]
};

/// The packed keys of [`VERBS`], in the same (sorted) order.
const VERB_KEYS: [u128; VERBS.len()] = {
    let mut keys = [0u128; VERBS.len()];
    let mut i = 0;
    while i < VERBS.len() {
        keys[i] = WordKey::of(VERBS[i].0);
        i += 1;
    }
    keys
};

/// Slots of the verb hash table (a power of two, at least twice the number of verbs).
const SLOT_BITS: u32 = 9;

/// Hashes a packed word to a slot: fold to 64 bits, multiply by a Fibonacci constant, keep the top bits.
const fn slot_of(key: u128) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOT_BITS)) as usize
}

/// Open-addressing table (linear probing) from slot to `index + 1` in [`VERBS`]; 0 marks an empty slot.
/// Built at compile time; at a load under 1/3 a lookup probes about one slot.
const VERB_SLOTS: [u16; 1 << SLOT_BITS] = {
    assert!(VERBS.len() * 3 < (1 << SLOT_BITS));
    let mut slots = [0u16; 1 << SLOT_BITS];
    let mut i = 0;
    while i < VERBS.len() {
        let mut slot = slot_of(VERB_KEYS[i]);
        while slots[slot] != 0 {
            slot = (slot + 1) & ((1 << SLOT_BITS) - 1);
        }
        slots[slot] = (i + 1) as u16;
        i += 1;
    }
    slots
};

/// Quick rejection filter: bit `last % 64` of `VERB_FIRST_LAST[first % 32]` is set if some verb starts with byte
/// `first` and ends with byte `last`. Most words fail it before any hashing.
const VERB_FIRST_LAST: [u64; 32] = {
    let mut table = [0u64; 32];
    let mut i = 0;
    while i < VERBS.len() {
        let word = VERBS[i].0.as_bytes();
        table[(word[0] % 32) as usize] |= 1 << (word[word.len() - 1] % 64);
        i += 1;
    }
    table
};

/// Looks one exact word up in the verb table.
fn verb(word: WordKey) -> Option<(&'static str, ActionCategory)> {
    if word.len == 0 {
        return None;
    }
    let (first, last) = (word.byte(0), word.byte(word.len - 1));
    if VERB_FIRST_LAST[usize::from(first % 32)] & (1 << (last % 64)) == 0 {
        return None;
    }
    let mut slot = slot_of(word.key);
    loop {
        let entry = usize::from(VERB_SLOTS[slot]);
        if entry == 0 {
            return None;
        }
        if VERB_KEYS[entry - 1] == word.key {
            return Some((VERBS[entry - 1].1, VERBS[entry - 1].2));
        }
        slot = (slot + 1) & ((1 << SLOT_BITS) - 1);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn key(word: &str) -> WordKey {
        WordKey::new(word.as_bytes()).expect("short word")
    }

    #[test]
    fn verb_table_is_sorted_and_keys_follow_the_same_order() {
        for pair in VERBS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} >= {}", pair[0].0, pair[1].0);
        }
        for pair in VERB_KEYS.windows(2) {
            assert!(pair[0] < pair[1]);
        }
        for &(word, lemma, _) in VERBS {
            assert!(word.bytes().all(|b| b.is_ascii_lowercase()), "{word}");
            assert_eq!(verb(key(word)).map(|v| v.0), Some(lemma));
        }
    }

    #[test]
    fn keys_pack_prefix_push_and_compare_like_strings() {
        assert!(key("ab") < key("abc") && key("abc") < key("abd"));
        assert_eq!(key("deleting").prefix(5), key("delet"));
        assert_eq!(key("delet").push(b'e'), Some(key("delete")));
        assert_eq!(key("abcdefghijklmnop").push(b'q'), None);
        assert_eq!(WordKey::new(b"abcdefghijklmnopq"), None);
        assert!(key("doesn't").ends_with(b"n't"));
        assert!(!key("t").ends_with(b"n't"));
        assert_eq!(key("abc").prefix(0), key(""));
        for word in ["", "a", "delete", "abcdefghijklmnop"] {
            assert_eq!(
                WordKey::pack(word.as_bytes()),
                Some(key(word).key),
                "{word}"
            );
        }
        assert!(key("abcdefghijklmnop").ends_with(b"ijklmnop"));
        assert!(key("sing").ends_with(b"ing") && !key("sing").ends_with(b"ed"));
    }

    #[test]
    fn inflections_reduce_to_their_verb() {
        for (word, lemma) in [
            ("deleting", "delete"),
            ("deleted", "delete"),
            ("stopping", "stop"),
            ("sends", "send"),
            ("pushes", ""),
        ] {
            assert_eq!(
                lookup_verb(key(word)).map(|v| v.0).unwrap_or(""),
                lemma,
                "{word}"
            );
        }
        assert_eq!(lookup_verb(key("undeleted")), None);
    }

    #[test]
    fn negations_and_fillers_are_recognised() {
        assert!(is_negation(key("not")) && is_negation(key("won't")) && !is_negation(key("note")));
        assert!(is_filler(key("please")) && !is_filler(key("delete")));
    }

    #[test]
    fn every_listed_negation_and_filler_is_recognised_and_near_misses_are_not() {
        for word in [
            "not", "no", "never", "dont", "cannot", "without", "don't", "doesn't", "won't",
        ] {
            assert!(is_negation(key(word)), "{word}");
            assert!(!is_filler(key(word)), "{word}");
        }
        for word in [
            "please", "kindly", "sudo", "can", "could", "would", "you", "now", "just", "go",
            "ahead",
        ] {
            assert!(is_filler(key(word)), "{word}");
            assert!(!is_negation(key(word)), "{word}");
        }
        for word in [
            "n", "nots", "nev", "g", "goo", "cans", "pleases", "withou", "dontt",
        ] {
            assert!(!is_negation(key(word)) && !is_filler(key(word)), "{word}");
        }
    }
}
