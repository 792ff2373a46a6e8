// Package billing imports the billing system's (营收系统) CSV exports:
// accounts, usage, bills, payments and reminders (SPEC R1.1), and links each
// account to its subject (用水主体) by USCC or resident ID (R1.2).
//
// # Usage
//
//	im := billing.NewImporter(db, sealer, billing.Options{})
//	job, rowErrs, err := im.Import(ctx, billing.KindBills, file, billing.Meta{
//		FileName: "bills-2024-03.csv", Encoding: "auto", StartedBy: userID,
//	})
//	// job.Inserted / Updated / Unchanged / Failed; rowErrs: line, column, reason
//	job, err = im.Job(ctx, job.ID)
//	rowErrs, err = im.JobErrors(ctx, job.ID, 100)
//
// # File format
//
// A file is CSV (RFC 4180: comma-separated, fields with commas, quotes or
// line breaks in double quotes, a quote inside doubled) with one header row.
// Columns are found by name (case-insensitive, surrounding spaces ignored),
// in any order; extra columns are ignored. A header that lacks a required
// column, or names one twice, fails the whole file with INVALID naming the
// column. Every row must have as many fields as the header. Empty lines are
// skipped. Values are trimmed.
//
// Common value rules:
//   - Numbers (account_no, bill_no, payment_no, reminder_no): 1–32 ASCII
//     letters, digits, '-', '_', '.' or '/'. On MySQL they compare
//     case-insensitively (the database collation), on SQLite exactly.
//   - Money (amount_yuan): yuan, non-negative, at most 2 decimals, no
//     thousands separators ("1234.5" → 123450 fen). Stored as int64 fen.
//   - Volumes (reading, volume_m3): m³, non-negative, at most 3 decimals.
//     Stored as int64 litres.
//   - Periods: YYYY-MM.
//   - Dates: YYYY-MM-DD, a day in Asia/Shanghai (Options.Location), stored
//     as the instant 00:00 of that day (in UTC: 16:00 the day before).
//   - paid_at: YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (or with a 'T'), Asia/Shanghai,
//     stored in UTC.
//   - Text (subject_name, address, use_type): no control or bidi characters
//     and no line breaks (package inputtext, R7.3), and not beginning with
//     '=', '+', '-' or '@' (after trimming, so a leading tab or carriage
//     return counts too): a spreadsheet would run such a cell as a formula
//     (CSV injection, package csvsafe). Such a cell is a row error, not
//     rewritten: the stored value stays the billing system's, and the
//     source is corrected there. Numbers, dates and keys are parsed, never
//     stored as text, so they need no such rule.
//
// The kinds and their columns (all required in the header; values required
// unless marked optional):
//
//	accounts   account_no, subject_kind, subject_id, subject_name, address (optional, ≤ 255),
//	           use_type (optional, ≤ 32), opened_on
//	usage      account_no, period, reading, volume_m3
//	bills      bill_no, account_no, period, amount_yuan, issued_on, due_on
//	payments   payment_no, bill_no, account_no, amount_yuan, paid_at
//	reminders  reminder_no, account_no, served_on, amount_yuan, bill_nos
//	contracts  contract_no, account_no, supplier, customer, starts_on, ends_on, status
//
// Natural keys: accounts by account_no, usage by (account_no, period), bills
// by bill_no, payments by payment_no, reminders by reminder_no, contracts by
// contract_no (R1.7: supplier and customer are the parties, ≤ 200
// characters each; status ACTIVE, SUSPENDED, TERMINATED or EXPIRED, any
// case; ends_on not before starts_on).
//
// accounts: subject_kind is ENTERPRISE or PERSON (any case). subject_id is
// the enterprise's 统一社会信用代码 (18 characters, GB 32100-2015 check
// character) or the person's 居民身份证号码 (18 characters, GB 11643-1999
// check character, a real birth date). The import finds the subject — an
// enterprise by USCC, a person by the HMAC blind index of the ID number —
// or creates it with subject_name; a person's number is stored only sealed
// (AES-GCM), indexed and masked (4405**********0014), and never appears in
// an error. An existing subject is not renamed. Subject.HistorySince is kept
// equal to the earliest opened_on of the subject's accounts. subject_name ≤
// 200 characters.
//
// bills: due_on must not be before issued_on.
//
// payments: bill_no need not name a bill already imported or earlier in the
// file: billing systems may send payments before bills, so the payment is
// stored as given and joined to its bill by number when both are there.
// account_no is not checked against the bill's account either.
//
// reminders: bill_nos lists the bills the reminder (催告) covers, separated
// by ';' or '|' (1–500 numbers; duplicates and empty items dropped). They
// are stored sorted in Reminder.BillNos and as ReminderBill rows, which are
// rewritten when the list changes. Bills are not required to exist yet.
//
// Example (bills):
//
//	bill_no,account_no,period,amount_yuan,issued_on,due_on
//	B2024030001,A0001,2024-03,1234.56,2024-04-01,2024-04-30
//
// # Encodings
//
// Meta.Encoding "auto" (or empty) detects the encoding while streaming:
// a UTF-8 byte order mark means UTF-8; otherwise ASCII passes through until
// the first non-ASCII byte, and the 4 KiB from there decide — valid UTF-8
// means UTF-8, anything else GB18030 (a superset of GBK and GB2312, what the
// local billing systems export). "utf-8" and "gbk" force the encoding
// (golang.org/x/text/encoding/simplifiedchinese.GB18030 decodes "gbk"). A
// field that is still not valid text (a stray byte in a UTF-8 file, an
// invalid GBK sequence) is a row error naming the column; an undecodable
// header fails the file. ImportJob.Encoding records what the file was read
// as: "utf-8" or "gb18030".
//
// # Errors
//
// A bad row is reported and skipped; the good rows are kept. Every bad field
// gives one ImportError with the file's physical line number (the header is
// line 1; a quoted field may span lines), the column name ("" for a row
// that is not valid CSV or has the wrong number of fields) and a reason.
// ImportJob.Failed counts bad rows and ImportJob.Errors all errors; only the
// first Options.MaxErrors (default 1000) are stored and returned.
//
// A refused file writes nothing. File-level faults — an unknown kind (Field
// "kind") or encoding (Field "encoding"), an empty file, a malformed or
// undecodable header (Field "file"), a header that lacks or repeats a column
// (Field: the column) — return INVALID before any job exists: no
// import_jobs and no import_errors row. The RUNNING job is created once the
// header is accepted. A failure while the rows stream keeps that job as
// FAILED with the reason in its message, which staff need to see: a
// database failure returns INTERNAL, a cancelled context UNAVAILABLE with
// Reason CANCELLED, a file that cannot be read further INVALID with Reason
// UNREADABLE.
//
// # Idempotence and counts
//
// Rows are read with encoding/csv, validated and gathered into batches
// (Options.BatchRows, default 5000, capped by the placeholder limit and
// at about 4 MiB of data) that writer goroutines apply while the reader goes on, so
// memory stays flat whatever the file size (about 45 MiB peak RSS for a
// million rows). A batch never holds a key twice: a repeated key starts the
// next batch, and all rows of one key go to the same writer, so rows apply
// in file order and the last one wins.
//
// Each batch runs in one transaction (READ COMMITTED on MySQL) and is
// classified in one of two ways; both give exact per-row counts:
//
//  1. Read first (SQLite and MySQL for every kind; MariaDB for accounts and
//     reminders, whose old values decide the subject history and the
//     reminder links, and during re-imports, see below):
//     one SELECT reads the stored rows of the batch's keys (key IN (…)) and
//     every row is compared with its stored values in Go: no stored row →
//     inserted, a value differs → updated, all equal → unchanged. Only
//     inserted and updated rows are then written.
//  2. Count in the upsert (MariaDB, for usage, bills and payments): all rows
//     are written and the update clause counts, in session variables, the
//     rows that hit an existing key (@cw_dup) and, of those, the ones whose
//     values differ (@cw_chg); SELECT @cw_dup, @cw_chg in the same
//     transaction gives inserted = rows − dup, updated = chg, unchanged =
//     dup − chg. This saves the look-up, which took about a third of
//     the time of a fresh import (145,000 → 200,000 rows/s in bench/import). It needs neither the
//     affected-rows arithmetic (1 per insert, 2 per changed update, 0 per
//     unchanged with CLIENT_FOUND_ROWS off, which a DSN option would break)
//     nor a pre-count. It is not used on MySQL, which deprecates assigning
//     variables inside expressions.
//
// A writer starts counting and switches to reading first after a batch in
// which at least half of the keys were already stored, and back when fewer
// were: a fresh load pays no look-up, and a re-import of an unchanged file
// writes nothing at all.
//
// Writes are multi-row INSERT … ON DUPLICATE KEY UPDATE (MySQL) or INSERT …
// ON CONFLICT DO UPDATE (SQLite) statements that leave unchanged rows alone:
// MySQL sets updated_at = IF(every column <=> its new value (text compared
// as bytes), updated_at, new) before assigning the columns, SQLite's DO
// UPDATE has a WHERE that requires a differing column. So re-importing a
// file changes no row and moves no updated_at, and a corrected row updates
// exactly that row. If another import writes the same keys at the same
// moment, the counts may be off by those rows; the stored data is that of
// the last writer.
//
// Each batch commits on its own. An import that fails part-way leaves the
// earlier batches stored: run it again; that is safe and reports them
// unchanged.
package billing
