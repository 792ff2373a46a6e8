package models

import "time"

// Billing-system data (R1.1). Rows are keyed by the billing system's natural
// keys (account number, bill number, …) so that re-importing a file is
// idempotent and imports need no look-ups. Money is int64 fen (分); volumes
// are int64 litres. A calendar date of the billing system (opened, issued,
// due, served on) is stored as the instant 00:00 of that day in Asia/Shanghai
// (in UTC: 16:00 of the day before); show it in Asia/Shanghai to get the date
// back.

// Account is a water account (户号).
type Account struct {
	ID        uint64 `gorm:"primaryKey;autoIncrement"`
	AccountNo string `gorm:"size:32;not null;uniqueIndex"`
	SubjectID string `gorm:"size:36;index"`
	Address   string `gorm:"size:255"`
	UseType   string `gorm:"size:32"`
	OpenedOn  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Usage is the metered volume of one account in one period (YYYY-MM).
type Usage struct {
	ID        uint64 `gorm:"primaryKey;autoIncrement"`
	AccountNo string `gorm:"size:32;not null;uniqueIndex:ux_usage_account_period"`
	Period    string `gorm:"size:7;not null;uniqueIndex:ux_usage_account_period"`
	// ReadingL is the meter reading at the end of the period, in litres.
	ReadingL  int64 `gorm:"not null"`
	VolumeL   int64 `gorm:"not null"`
	UpdatedAt time.Time
}

// Bill is one water bill.
type Bill struct {
	ID        uint64    `gorm:"primaryKey;autoIncrement"`
	BillNo    string    `gorm:"size:32;not null;uniqueIndex"`
	AccountNo string    `gorm:"size:32;not null;index"`
	Period    string    `gorm:"size:7;not null"`
	AmountFen int64     `gorm:"not null"`
	IssuedOn  time.Time `gorm:"not null"`
	DueOn     time.Time `gorm:"not null"`
	UpdatedAt time.Time
}

// Payment is a payment against one bill.
type Payment struct {
	ID        uint64    `gorm:"primaryKey;autoIncrement"`
	PaymentNo string    `gorm:"size:32;not null;uniqueIndex"`
	BillNo    string    `gorm:"size:32;not null;index"`
	AccountNo string    `gorm:"size:32;not null;index"`
	AmountFen int64     `gorm:"not null"`
	PaidAt    time.Time `gorm:"not null"`
	UpdatedAt time.Time
}

// Reminder is a formal reminder (催告) served for unpaid bills.
type Reminder struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	ReminderNo string    `gorm:"size:32;not null;uniqueIndex"`
	AccountNo  string    `gorm:"size:32;not null;index"`
	ServedOn   time.Time `gorm:"not null;index"`
	AmountFen  int64     `gorm:"not null"`
	// BillNos is the sorted, ';'-separated list of the bills covered, the
	// source of the ReminderBill rows (kept so a change is detected cheaply).
	BillNos   string `gorm:"type:text;not null"`
	UpdatedAt time.Time
}

// ReminderBill links a reminder to a bill it covers.
type ReminderBill struct {
	ReminderNo string `gorm:"primaryKey;size:32"`
	BillNo     string `gorm:"primaryKey;size:32;index"`
}

// Exemption is a recorded valid reason for not paying (e.g. a billing
// dispute): it keeps the covered reminder from becoming an ARREARS record.
type Exemption struct {
	Entity
	AccountNo  string `gorm:"size:32;not null;index"`
	ReminderNo string `gorm:"size:32;index"` // empty (and BillNo empty): the whole account
	BillNo     string `gorm:"size:32;index"` // an exemption of one bill (R1.6)
	Reason     string `gorm:"size:500;not null"`
	RecordedBy string `gorm:"size:36"`
	ValidFrom  time.Time
	ValidTo    *time.Time
	// Status: only an APPROVED exemption stops the ARREARS rule (R1.6).
	Status       ExemptionStatus `gorm:"size:16;not null;default:APPROVED;index"`
	DecidedBy    string          `gorm:"size:36"`
	DecidedAt    *time.Time
	DecisionNote string `gorm:"size:1000"`
	Version      int    `gorm:"not null;default:1"`
}

// ExemptionStatus is where an exemption stands (R1.6).
type ExemptionStatus string

// The exemption statuses: staff record PENDING, a credit officer approves
// or rejects.
const (
	ExemptionPending  ExemptionStatus = "PENDING"
	ExemptionApproved ExemptionStatus = "APPROVED"
	ExemptionRejected ExemptionStatus = "REJECTED"
)

// ArrearsNotice is the prior notice (告知, R1.6) the ARREARS rule gives
// for a reminder before it makes a record of it.
type ArrearsNotice struct {
	Entity
	ReminderNo string `gorm:"size:32;not null;uniqueIndex"`
	AccountNo  string `gorm:"size:32;not null;index"`
	SubjectID  string `gorm:"size:36;not null;index"`
	NoticedOn  time.Time
}

// ImportJob records one billing import with its counts.
type ImportJob struct {
	Entity
	Kind     string `gorm:"size:16;not null"`
	FileName string `gorm:"size:255"`
	Encoding string `gorm:"size:16"`
	Status   string `gorm:"size:16;not null"` // QUEUED, RUNNING, DONE, FAILED
	// Rows is the data rows processed so far: the job's checkpoint, kept in
	// the same transaction as the rows it counts (a resumed job skips them).
	Rows int64
	// TotalRows is the data rows of the file, counted at upload.
	TotalRows int64 `gorm:"not null;default:0"`
	Inserted  int64
	Updated   int64
	Unchanged int64
	Failed    int64  // rows rejected
	Errors    int64  // row errors found (a row may have several); at most Options.MaxErrors are stored
	StartedBy string `gorm:"size:36"`
	// Message says why a FAILED job failed (safe to show).
	Message    string `gorm:"size:500"`
	FinishedAt *time.Time
	// LockedBy and LockedUntil are the lease of the worker running the job;
	// an expired lease is a stopped worker's, and another one resumes it.
	LockedBy    string `gorm:"size:100;not null;default:''"`
	LockedUntil *time.Time
}

// ImportChunk is one piece (at most 1 MiB) of a queued import's file, kept
// until the job ends.
type ImportChunk struct {
	JobID string `gorm:"primaryKey;size:36"`
	Seq   int    `gorm:"primaryKey;autoIncrement:false"`
	Data  []byte `gorm:"type:longblob;not null"`
}

// ImportError is one bad row of an import: line, column and reason.
type ImportError struct {
	ID     uint64 `gorm:"primaryKey;autoIncrement"`
	JobID  string `gorm:"size:36;not null;index"`
	Line   int64  `gorm:"not null"`
	Column string `gorm:"size:64"`
	Reason string `gorm:"size:500;not null"`
}

// ContractStatus is the state of a water-supply contract as the billing
// system reports it (R1.7).
type ContractStatus string

// The contract statuses.
const (
	ContractActive     ContractStatus = "ACTIVE"
	ContractSuspended  ContractStatus = "SUSPENDED"
	ContractTerminated ContractStatus = "TERMINATED"
	ContractExpired    ContractStatus = "EXPIRED"
)

// ContractStatuses lists every contract status.
func ContractStatuses() []ContractStatus {
	return []ContractStatus{ContractActive, ContractSuspended, ContractTerminated, ContractExpired}
}

// Contract is a water-supply contract (供用水合同, 履约信息, R1.7) of one
// account, imported from the billing system: its number, the parties
// (the water company as supplier, the customer), its term and status.
type Contract struct {
	ID         uint64         `gorm:"primaryKey;autoIncrement"`
	ContractNo string         `gorm:"size:32;not null;uniqueIndex"`
	AccountNo  string         `gorm:"size:32;not null;index"`
	Supplier   string         `gorm:"size:200;not null"`
	Customer   string         `gorm:"size:200;not null"`
	StartsOn   time.Time      `gorm:"not null"`
	EndsOn     time.Time      `gorm:"not null"`
	Status     ContractStatus `gorm:"size:16;not null"`
	UpdatedAt  time.Time
}
