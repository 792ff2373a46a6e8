// Command evaluate benchmarks the scheduled credit evaluation on MariaDB/
// MySQL: the arrears rule (rules.Arrears.Detect, R1.3) and the tier
// recomputation of every subject (grade.Service.Recompute, R3.1).
//
// It creates a fresh, randomly named database, generates subjects,
// accounts, bills, payments, reminders, reminder–bill links, exemptions and
// a few staff records with LOAD DATA LOCAL INFILE (streamed from Go, not
// timed), then times Arrears.Detect, Recompute, and a second, idempotent
// Arrears.Detect. See README.md.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"creditwater/access"
	"creditwater/audit"
	"creditwater/bench/loadgen"
	"creditwater/credit/grade"
	"creditwater/credit/rules"
	"creditwater/models"
	"creditwater/store"
	"creditwater/store/creditdb"
)

type config struct {
	dsn          string
	accounts     int
	bills        int
	reminderRate float64
	exemptRate   float64
	seed         uint64
	keep         bool
	timeout      time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.dsn, "dsn", loadgen.EnvOr("CW_BENCH_DATABASE_URL", "root@tcp(127.0.0.1:3306)/test"), "MySQL/MariaDB DSN of a server where a new database may be created (env CW_BENCH_DATABASE_URL)")
	flag.IntVar(&c.accounts, "accounts", 1_000_000, "number of accounts (subjects: 4/5 of it)")
	flag.IntVar(&c.bills, "bills", 12_000_000, "number of bills (spread evenly over the accounts)")
	flag.Float64Var(&c.reminderRate, "reminders", 0.02, "share of accounts with a reminder (催告)")
	flag.Float64Var(&c.exemptRate, "exemptions", 0.05, "share of reminders with an exemption")
	flag.Uint64Var(&c.seed, "seed", 1, "random seed of the generated data")
	flag.BoolVar(&c.keep, "keep", false, "keep the benchmark database instead of dropping it")
	flag.DurationVar(&c.timeout, "timeout", 60*time.Minute, "give up after this long")
	flag.Parse()
	if c.accounts < 1 || c.bills < c.accounts {
		fmt.Fprintln(os.Stderr, "bench/evaluate: need accounts ≥ 1 and bills ≥ accounts")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench/evaluate:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	dsn, drop, err := loadgen.ScratchDatabase(ctx, c.dsn, "cwbench_eval_")
	if err != nil {
		return err
	}
	fmt.Println("database", loadgen.DBName(dsn))
	if !c.keep {
		defer drop()
	}
	db, err := store.OpenDB(ctx, store.DBConfig{URL: dsn, MaxOpen: 8, MaxIdle: 8})
	if err != nil {
		return err
	}
	if err := store.Migrate(db); err != nil {
		return err
	}
	g := newGen(c)
	start := time.Now()
	if err := g.load(ctx, db); err != nil {
		return err
	}
	fmt.Printf("generated %d subjects, %d accounts, %d bills, %d payments, %d reminders (%d bill links), %d exemptions, %d staff records in %s\n",
		g.subjects, c.accounts, g.billCount, g.payments, g.reminders, g.links, g.exemptions, g.records, time.Since(start).Round(time.Second))
	if err := db.Exec("ANALYZE TABLE subjects, accounts, bills, payments, reminders, reminder_bills, exemptions, dishonesty_records").Error; err != nil {
		return err
	}

	log := audit.New(db)
	cdb := creditdb.New(db, log, access.New(db))
	tiers := grade.New(grade.Deps{Store: cdb.Grades()})
	arrears := rules.NewArrears(rules.Deps{Store: cdb.Rules(), Grades: tiers})
	asOf := time.Date(2026, 4, 15, 2, 30, 0, 0, time.FixedZone("CST", 8*3600))

	t0 := time.Now()
	created, err := arrears.Detect(ctx, asOf)
	if err != nil {
		return err
	}
	t1 := time.Now()
	evaluated, err := tiers.Recompute(ctx, asOf)
	if err != nil {
		return err
	}
	t2 := time.Now()
	again, err := arrears.Detect(ctx, asOf)
	if err != nil {
		return err
	}
	t3 := time.Now()
	var excellent int64
	if err := db.Model(&models.Subject{}).Where("tier = ?", models.TierExcellent).Count(&excellent).Error; err != nil {
		return err
	}
	fmt.Printf("Arrears.Detect:          %8.2fs  (%d ARREARS records created)\n", t1.Sub(t0).Seconds(), created)
	fmt.Printf("Tiers.Recompute (all):   %8.2fs  (%d subjects evaluated, %d EXCELLENT)\n", t2.Sub(t1).Seconds(), evaluated, excellent)
	fmt.Printf("total (goal < 60 s):     %8.2fs\n", t2.Sub(t0).Seconds())
	fmt.Printf("Arrears.Detect again:    %8.2fs  (%d created: idempotent)\n", t3.Sub(t2).Seconds(), again)
	if again != 0 {
		return errors.New("the second Arrears.Detect created records")
	}
	return nil
}

// gen generates the data set deterministically from the seed: every table's
// stream derives an account's data from the same per-account generator, so
// the streams agree without keeping the data in memory.
type gen struct {
	c            config
	subjects     int
	perAccount   int
	subjectIDs   []string
	billCount    int
	payments     int
	reminders    int
	links        int
	exemptions   int
	records      int
	now          string
	historyStart time.Time
}

func newGen(c config) *gen {
	g := &gen{c: c, subjects: max(c.accounts*4/5, 1), perAccount: c.bills / c.accounts,
		now: "2026-04-14 00:00:00", historyStart: time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)}
	g.subjectIDs = make([]string, g.subjects)
	for i := range g.subjectIDs {
		g.subjectIDs[i] = uuid.Must(uuid.NewV7()).String()
	}
	return g
}

// account is what the streams need to know about one account.
type account struct {
	no, subject string
	monthly     int64 // typical bill, fen
	reminded    bool
	unpaid      int  // last unpaid bills (reminded accounts)
	partial     bool // the oldest unpaid bill is half paid
	exempt      bool
	servedOn    time.Time
}

func (g *gen) account(i int) account {
	r := rand.New(rand.NewPCG(g.c.seed, uint64(i)))
	a := account{no: fmt.Sprintf("A%09d", i), subject: g.subjectIDs[i%g.subjects]}
	if r.Float64() < 0.2 {
		a.monthly = 20_000 + r.Int64N(200_000) // large users
	} else {
		a.monthly = 2_000 + r.Int64N(30_000)
	}
	if r.Float64() < g.c.reminderRate {
		a.reminded = true
		a.unpaid = 1 + r.IntN(min(3, g.perAccount))
		a.partial = r.Float64() < 0.3
		a.exempt = r.Float64() < g.c.exemptRate
		// Served between 2025-12-01 and 2026-04-10 (Shanghai days).
		a.servedOn = time.Date(2025, 12, 1+r.IntN(131), 0, 0, 0, 0, time.UTC).Add(-8 * time.Hour)
	}
	return a
}

// billAmount is the amount of bill k of account a.
func (g *gen) billAmount(a account, i, k int) int64 {
	return a.monthly/2 + int64((i*7919+k*104729)%int(a.monthly+1))
}

func period(k, n int) string {
	m := 2026*12 + 2 - (n - 1 - k) // the last bill is for 2026-03
	return fmt.Sprintf("%04d-%02d", m/12, m%12+1)
}

func shanghaiDay(p string, day int) string {
	t, _ := time.Parse("2006-01", p)
	return t.AddDate(0, 0, day-1).Add(-8 * time.Hour).Format(time.DateTime)
}

// load streams every table through LOAD DATA LOCAL INFILE.
func (g *gen) load(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	for _, s := range []string{"SET unique_checks = 0", "SET foreign_key_checks = 0"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	tables := []struct {
		table, columns string
		write          func(w *bufio.Writer)
	}{
		{"subjects", "id, created_at, updated_at, kind, name, id_sealed, id_masked, tier, history_since", g.writeSubjects},
		{"accounts", "account_no, subject_id, address, use_type, opened_on, created_at, updated_at", g.writeAccounts},
		{"bills", "bill_no, account_no, period, amount_fen, issued_on, due_on, updated_at", g.writeBills},
		{"payments", "payment_no, bill_no, account_no, amount_fen, paid_at, updated_at", g.writePayments},
		{"reminders", "reminder_no, account_no, served_on, amount_fen, bill_nos, updated_at", g.writeReminders},
		{"reminder_bills", "reminder_no, bill_no", g.writeLinks},
		{"exemptions", "id, created_at, updated_at, account_no, reminder_no, reason, recorded_by, valid_from", g.writeExemptions},
		{"dishonesty_records", "id, created_at, updated_at, subject_id, account_no, kind, severity, status, source_key, source, evidence, summary, behaviour_on, decided_on, recorded_by, version", g.writeRecords},
	}
	for _, t := range tables {
		start := time.Now()
		pr, pw := io.Pipe()
		go func() {
			w := bufio.NewWriterSize(pw, 1<<20)
			t.write(w)
			_ = pw.CloseWithError(w.Flush())
		}()
		handler := "gen_" + t.table
		mysql.RegisterReaderHandler(handler, func() io.Reader { return pr })
		_, err := conn.ExecContext(ctx, fmt.Sprintf("LOAD DATA LOCAL INFILE 'Reader::%s' INTO TABLE %s CHARACTER SET utf8mb4 "+
			"FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (%s)", handler, t.table, t.columns))
		mysql.DeregisterReaderHandler(handler)
		_ = pr.Close()
		if err != nil {
			return fmt.Errorf("load %s: %w", t.table, err)
		}
		fmt.Printf("  loaded %-18s in %s\n", t.table, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func (g *gen) writeSubjects(w *bufio.Writer) {
	span := int64(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).Sub(g.historyStart) / (24 * time.Hour))
	for i, id := range g.subjectIDs {
		r := rand.New(rand.NewPCG(g.c.seed^0x5ab1ec7, uint64(i)))
		since := g.historyStart.AddDate(0, 0, int(r.Int64N(span))).Add(-8 * time.Hour)
		fmt.Fprintf(w, "%s\t%s\t%s\tENTERPRISE\t企业%d\t\t\tSTANDARD\t%s\n", id, g.now, g.now, i, since.Format(time.DateTime))
	}
}

func (g *gen) writeAccounts(w *bufio.Writer) {
	for i := range g.c.accounts {
		a := g.account(i)
		fmt.Fprintf(w, "%s\t%s\t韶关市某路%d号\tINDUSTRY\t%s\t%s\t%s\n", a.no, a.subject, i, "2015-12-31 16:00:00", g.now, g.now)
	}
}

func (g *gen) billNo(i, k int) string { return fmt.Sprintf("B%09d%02d", i, k) }

func (g *gen) writeBills(w *bufio.Writer) {
	for i := range g.c.accounts {
		a := g.account(i)
		for k := range g.perAccount {
			p := period(k, g.perAccount)
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", g.billNo(i, k), a.no, p, g.billAmount(a, i, k),
				shanghaiDay(p, 32), shanghaiDay(p, 50), g.now)
			g.billCount++
		}
	}
}

// writePayments pays every bill in full except the reminded accounts' last
// unpaid bills (the oldest of them half paid for some) and one bill in 50
// of other accounts.
func (g *gen) writePayments(w *bufio.Writer) {
	for i := range g.c.accounts {
		a := g.account(i)
		for k := range g.perAccount {
			amount := g.billAmount(a, i, k)
			firstUnpaid := g.perAccount - a.unpaid
			switch {
			case a.reminded && k == firstUnpaid && a.partial:
				amount /= 2
			case a.reminded && k >= firstUnpaid:
				continue
			case !a.reminded && (i+k)%50 == 0:
				continue
			}
			p := period(k, g.perAccount)
			fmt.Fprintf(w, "P%09d%02d\t%s\t%s\t%d\t%s\t%s\n", i, k, g.billNo(i, k), a.no, amount, shanghaiDay(p, 45), g.now)
			g.payments++
		}
	}
}

// eachReminded calls fn with each reminded account and the index of its
// first unpaid bill (the rest of its bills are unpaid too).
func (g *gen) eachReminded(fn func(i int, a account, firstUnpaid int)) {
	for i := range g.c.accounts {
		if a := g.account(i); a.reminded {
			fn(i, a, g.perAccount-a.unpaid)
		}
	}
}

func (g *gen) writeReminders(w *bufio.Writer) {
	g.eachReminded(func(i int, a account, firstUnpaid int) {
		var total int64
		nos := ""
		for k := firstUnpaid; k < g.perAccount; k++ {
			total += g.billAmount(a, i, k)
			if nos != "" {
				nos += ";"
			}
			nos += g.billNo(i, k)
		}
		fmt.Fprintf(w, "R%09d\t%s\t%s\t%d\t%s\t%s\n", i, a.no, a.servedOn.Format(time.DateTime), total, nos, g.now)
		g.reminders++
	})
}

func (g *gen) writeLinks(w *bufio.Writer) {
	g.eachReminded(func(i int, _ account, firstUnpaid int) {
		for k := firstUnpaid; k < g.perAccount; k++ {
			fmt.Fprintf(w, "R%09d\t%s\n", i, g.billNo(i, k))
			g.links++
		}
	})
}

func (g *gen) writeExemptions(w *bufio.Writer) {
	g.eachReminded(func(i int, a account, _ int) {
		if !a.exempt {
			return
		}
		reminder := fmt.Sprintf("R%09d", i)
		if i%2 == 0 {
			reminder = "" // the whole account
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t账单争议\tbench\t%s\n", uuid.Must(uuid.NewV7()), g.now, g.now, a.no, reminder, "2025-11-30 16:00:00")
		g.exemptions++
	})
}

// writeRecords gives 1 subject in 200 a staff THEFT or VIOLATION record
// within the last five years.
func (g *gen) writeRecords(w *bufio.Writer) {
	for i := 0; i < g.subjects; i += 200 {
		kind := models.KindTheft
		if i%400 == 0 {
			kind = models.KindViolation
		}
		on := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i/200)%1800).Add(-8 * time.Hour).Format(time.DateTime)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t\t%s\tGENERAL\tACTIVE\tBENCH:%d\tSTAFF_CASE\t{}\tbench\t%s\t%s\tbench\t1\n",
			uuid.Must(uuid.NewV7()), g.now, g.now, g.subjectIDs[i], kind, i, on, on)
		g.records++
	}
}
