//! The default pattern set: well-known destructive and exfiltrating requests, plus borderline maintenance work.
//!
//! See the crate documentation for the table in prose. Severities at or above 0.9 are critical (always block);
//! the maintenance patterns (0.2 to 0.6) land a request in human review under the default thresholds.

use crate::pattern::{Edge, Pattern, PatternCategory, Severity};

use Edge::{Any, Token, Word};
use PatternCategory::{
    CredentialAccess, DataDestruction, Destruction, Exfiltration, Maintenance, PrivilegeEscalation,
    RemoteCodeExecution, ResourceExhaustion,
};

/// One row of the default table: id, text, severity, category, start edge, end edge.
type Row = (&'static str, &'static str, f64, PatternCategory, Edge, Edge);

/// The default patterns. Texts are written as a person would type them; they are normalised on load.
const DEFAULT_PATTERNS: &[Row] = &[
    // Wiping the file system root or home directory.
    ("fs.rm-rf-root", "rm -rf /", 1.0, Destruction, Word, Token),
    ("fs.rm-fr-root", "rm -fr /", 1.0, Destruction, Word, Token),
    (
        "fs.rm-r-f-root",
        "rm -r -f /",
        1.0,
        Destruction,
        Word,
        Token,
    ),
    (
        "fs.rm-f-r-root",
        "rm -f -r /",
        1.0,
        Destruction,
        Word,
        Token,
    ),
    (
        "fs.rm-rf-root-glob",
        "rm -rf /*",
        1.0,
        Destruction,
        Word,
        Any,
    ),
    ("fs.rm-rf-home", "rm -rf ~", 0.95, Destruction, Word, Token),
    (
        "fs.rm-rf-home-slash",
        "rm -rf ~/",
        0.95,
        Destruction,
        Word,
        Token,
    ),
    (
        "fs.no-preserve-root",
        "--no-preserve-root",
        1.0,
        Destruction,
        Any,
        Word,
    ),
    ("fs.mkfs", "mkfs", 0.95, Destruction, Word, Word),
    ("fs.wipefs", "wipefs", 0.95, Destruction, Word, Word),
    ("fs.format-c", "format c:", 0.95, Destruction, Word, Any),
    (
        "fs.del-c-drive",
        "del /f /s /q c:\\",
        0.95,
        Destruction,
        Word,
        Any,
    ),
    (
        "fs.rd-c-drive",
        "rd /s /q c:\\",
        0.95,
        Destruction,
        Word,
        Any,
    ),
    // Writing to raw block devices.
    ("disk.dd-sd", "of=/dev/sd", 0.95, Destruction, Any, Any),
    ("disk.dd-hd", "of=/dev/hd", 0.95, Destruction, Any, Any),
    ("disk.dd-nvme", "of=/dev/nvme", 0.95, Destruction, Any, Any),
    ("disk.dd-xvd", "of=/dev/xvd", 0.95, Destruction, Any, Any),
    ("disk.dd-vd", "of=/dev/vd", 0.95, Destruction, Any, Any),
    (
        "disk.dd-mmcblk",
        "of=/dev/mmcblk",
        0.95,
        Destruction,
        Any,
        Any,
    ),
    ("disk.redirect-sd", "> /dev/sd", 0.95, Destruction, Any, Any),
    (
        "disk.redirect-sd-tight",
        ">/dev/sd",
        0.95,
        Destruction,
        Any,
        Any,
    ),
    (
        "disk.redirect-nvme",
        "> /dev/nvme",
        0.95,
        Destruction,
        Any,
        Any,
    ),
    (
        "disk.shred-dev",
        "shred /dev/",
        0.95,
        Destruction,
        Word,
        Any,
    ),
    // Fork bombs.
    ("proc.fork-bomb", ":(){", 1.0, ResourceExhaustion, Any, Any),
    (
        "proc.fork-bomb-spaced",
        ":() {",
        1.0,
        ResourceExhaustion,
        Any,
        Any,
    ),
    (
        "proc.fork-bomb-body",
        ":|:&",
        1.0,
        ResourceExhaustion,
        Any,
        Any,
    ),
    (
        "proc.fork-bomb-body-spaced",
        ":|: &",
        1.0,
        ResourceExhaustion,
        Any,
        Any,
    ),
    // Piping downloaded code into a shell.
    ("rce.pipe-sh", "| sh", 0.95, RemoteCodeExecution, Any, Word),
    (
        "rce.pipe-sh-tight",
        "|sh",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-bash",
        "| bash",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-bash-tight",
        "|bash",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-zsh",
        "| zsh",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-sudo-sh",
        "| sudo sh",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-sudo-bash",
        "| sudo bash",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-sudo-sh-tight",
        "|sudo sh",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-sudo-bash-tight",
        "|sudo bash",
        0.95,
        RemoteCodeExecution,
        Any,
        Word,
    ),
    (
        "rce.pipe-python",
        "| python",
        0.9,
        RemoteCodeExecution,
        Any,
        Any,
    ),
    (
        "rce.bash-process-substitution",
        "bash <(curl",
        0.95,
        RemoteCodeExecution,
        Word,
        Word,
    ),
    // Destroying databases.
    (
        "db.drop-database",
        "drop database",
        0.95,
        DataDestruction,
        Word,
        Word,
    ),
    (
        "db.drop-table",
        "drop table",
        0.9,
        DataDestruction,
        Word,
        Word,
    ),
    (
        "db.drop-schema",
        "drop schema",
        0.95,
        DataDestruction,
        Word,
        Word,
    ),
    ("db.flushall", "flushall", 0.9, DataDestruction, Word, Word),
    (
        "db.drop-collection",
        "db.dropdatabase(",
        0.95,
        DataDestruction,
        Word,
        Any,
    ),
    // Dumping credentials.
    (
        "cred.etc-shadow",
        "/etc/shadow",
        0.95,
        CredentialAccess,
        Any,
        Word,
    ),
    (
        "cred.ssh-rsa-key",
        ".ssh/id_rsa",
        0.95,
        CredentialAccess,
        Any,
        Token,
    ),
    (
        "cred.ssh-ed25519-key",
        ".ssh/id_ed25519",
        0.95,
        CredentialAccess,
        Any,
        Token,
    ),
    (
        "cred.ssh-ecdsa-key",
        ".ssh/id_ecdsa",
        0.95,
        CredentialAccess,
        Any,
        Token,
    ),
    (
        "cred.aws-credentials-file",
        ".aws/credentials",
        0.95,
        CredentialAccess,
        Any,
        Word,
    ),
    (
        "cred.aws-secret-key",
        "aws_secret_access_key",
        0.9,
        CredentialAccess,
        Word,
        Word,
    ),
    (
        "cred.aws-access-key-id",
        "aws_access_key_id",
        0.8,
        CredentialAccess,
        Word,
        Word,
    ),
    (
        "cred.mimikatz",
        "mimikatz",
        0.95,
        CredentialAccess,
        Word,
        Word,
    ),
    (
        "cred.sekurlsa",
        "sekurlsa",
        0.95,
        CredentialAccess,
        Word,
        Word,
    ),
    (
        "cred.sam-hive",
        "hklm\\sam",
        0.95,
        CredentialAccess,
        Word,
        Word,
    ),
    (
        "cred.kube-config",
        ".kube/config",
        0.8,
        CredentialAccess,
        Any,
        Word,
    ),
    (
        "cred.etc-passwd",
        "/etc/passwd",
        0.5,
        CredentialAccess,
        Any,
        Word,
    ),
    // Reverse shells and exfiltration.
    ("exfil.dev-tcp", "/dev/tcp/", 0.95, Exfiltration, Any, Any),
    ("exfil.nc-exec", "nc -e", 0.95, Exfiltration, Word, Word),
    ("exfil.ncat-exec", "ncat -e", 0.95, Exfiltration, Word, Word),
    (
        "exfil.upload-file",
        "--upload-file",
        0.6,
        Exfiltration,
        Any,
        Word,
    ),
    // Opening up permissions.
    (
        "priv.chmod-777-root",
        "chmod 777 /",
        0.95,
        PrivilegeEscalation,
        Word,
        Token,
    ),
    (
        "priv.chmod-r-777-root",
        "chmod -r 777 /",
        0.95,
        PrivilegeEscalation,
        Word,
        Token,
    ),
    (
        "priv.chmod-777-r-root",
        "chmod 777 -r /",
        0.95,
        PrivilegeEscalation,
        Word,
        Token,
    ),
    (
        "priv.etc-sudoers",
        "/etc/sudoers",
        0.85,
        PrivilegeEscalation,
        Any,
        Word,
    ),
    (
        "priv.setuid",
        "chmod u+s",
        0.8,
        PrivilegeEscalation,
        Word,
        Word,
    ),
    (
        "priv.setenforce-off",
        "setenforce 0",
        0.8,
        PrivilegeEscalation,
        Word,
        Word,
    ),
    // Borderline maintenance: a human should look.
    ("maint.rm-rf", "rm -rf", 0.35, Maintenance, Word, Word),
    (
        "maint.rm-rf-tmp",
        "rm -rf /tmp",
        0.4,
        Maintenance,
        Word,
        Any,
    ),
    (
        "maint.rm-rf-var-log",
        "rm -rf /var/log",
        0.45,
        Maintenance,
        Word,
        Any,
    ),
    (
        "maint.delete-temp",
        "delete the temp",
        0.4,
        Maintenance,
        Word,
        Any,
    ),
    (
        "maint.delete-temp-short",
        "delete temp",
        0.4,
        Maintenance,
        Word,
        Any,
    ),
    (
        "maint.delete-logs",
        "delete the logs",
        0.4,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.delete-log-files",
        "delete the log files",
        0.4,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.clear-logs",
        "clear the logs",
        0.4,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.restart-service",
        "restart the service",
        0.4,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.restart-service-short",
        "restart service",
        0.4,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.systemctl-restart",
        "systemctl restart",
        0.4,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.systemctl-stop",
        "systemctl stop",
        0.45,
        Maintenance,
        Word,
        Word,
    ),
    ("maint.kill-9", "kill -9", 0.4, Maintenance, Word, Word),
    ("maint.killall", "killall", 0.45, Maintenance, Word, Word),
    ("maint.reboot", "reboot", 0.5, Maintenance, Word, Word),
    ("maint.shutdown", "shutdown", 0.5, Maintenance, Word, Word),
    (
        "maint.truncate-table",
        "truncate table",
        0.6,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.crontab-remove",
        "crontab -r",
        0.6,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.git-force-push",
        "git push --force",
        0.45,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.git-reset-hard",
        "git reset --hard",
        0.35,
        Maintenance,
        Word,
        Word,
    ),
    (
        "maint.history-clear",
        "history -c",
        0.5,
        Maintenance,
        Word,
        Word,
    ),
    ("maint.sudo", "sudo", 0.2, Maintenance, Word, Word),
];

/// Returns the default pattern set (see the crate documentation for what it covers).
#[must_use]
pub fn default_patterns() -> Vec<Pattern> {
    DEFAULT_PATTERNS
        .iter()
        .filter_map(|&(id, text, severity, category, start, end)| {
            // Every row has a non-empty id and text and a severity in [0, 1]; the tests check that none is dropped.
            Pattern::new(id, text, Severity::saturating(severity), category)
                .ok()
                .map(|p| p.with_edges(start, end))
        })
        .collect()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_row_becomes_a_pattern() {
        assert_eq!(default_patterns().len(), DEFAULT_PATTERNS.len());
    }

    #[test]
    fn ids_are_unique_and_severities_in_range() {
        let mut ids = HashSet::new();
        for &(id, _, severity, ..) in DEFAULT_PATTERNS {
            assert!(ids.insert(id), "duplicate id {id}");
            assert!(Severity::new(severity).is_ok(), "{id}");
        }
    }

    #[test]
    fn both_critical_and_borderline_patterns_exist() {
        let patterns = default_patterns();
        assert!(patterns.iter().filter(|p| p.is_critical()).count() >= 40);
        assert!(
            patterns
                .iter()
                .filter(|p| p.category() == PatternCategory::Maintenance)
                .count()
                >= 15
        );
    }
}
