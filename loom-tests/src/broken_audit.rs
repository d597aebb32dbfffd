//! Broken variants of the audit-system ordering logic (owned by the audit helper).
