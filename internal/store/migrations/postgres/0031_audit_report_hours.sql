-- A filing is audited once its hour has closed, by one entry per hour
-- (Store.auditClosedReportHours): finding the last such hour and the
-- reports after it must not scan the log or the reports on every entry.
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX reports_created ON reports (created_at);
