-- Reports filed before their time was kept to the hour (issue 14) get the
-- hour too: a filing time to the microsecond, matched with network logs,
-- can point to the reporter. Their content still in the clear columns is
-- sealed by the store once it has the data key (Store.SealClearReports),
-- which a migration does not have. The audit entries of those filings keep
-- their exact times: the chain is append-only (docs/security.md).
UPDATE reports SET created_at = created_at - (created_at % 3600000000);
