package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"creditwater/apply"
	"creditwater/bench/bare"
	"creditwater/bench/loadgen"
	"creditwater/graph"
	"creditwater/graph/generated"
	"creditwater/graph/model"
	"creditwater/models"
	"creditwater/store"
)

// The floors (-floor) are what the queue's and the deadlines' pages cost
// without any of the product's own work. Each is a second process serving
// the product's schema with server.NewGraphQLHandler (the product's
// transports and LRU query cache) and the product's garbage-collector
// settings, whose `applications` or `deadlines` resolver returns the page
// the product has just answered to the same request, decoded once into the
// product's models (`Application.subject` from a map of the page's
// subjects). No session, no directive, no middleware, no Redis, no cursor
// encoding: gqlgen and net/http alone, with the same query, variables and
// response. The second floor also sends, on each request, the SELECTs the
// product sent for it (captured from MariaDB's general log) through
// database/sql with the same driver, DSN and pool, and reads every column
// of every row as raw bytes: the database's and the driver's work, without
// gorm's scan or any of the product's logic. The product cannot be cheaper
// per request than the second floor, nor faster under the same clients.

// floorPage is the product's answer to the queue's or the deadlines'
// query, as the floor serves it again, and the statements it replays (none
// for the first floor).
type floorPage struct {
	conn      *model.ApplicationConnection
	subjects  map[string]*models.Subject
	deadlines *model.DeadlineConnection
	db        *sql.DB
	stmts     []string
}

// decodeFloorPage reads the product's JSON answer to queueQuery or
// deadlinesQuery into the models its resolvers return.
func decodeFloorPage(raw []byte) (floorPage, error) {
	var resp struct {
		Data struct {
			// The deadlines' nodes decode as they are (the JSON names
			// match review.Deadline's fields but for case).
			Deadlines    *model.DeadlineConnection `json:"deadlines"`
			Applications struct {
				TotalCount int `json:"totalCount"`
				PageInfo   struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Edges []struct {
					Cursor     string     `json:"cursor"`
					AgeSeconds int        `json:"ageSeconds"`
					StepDue    *time.Time `json:"stepDue"`
					Overdue    bool       `json:"overdue"`
					Node       struct {
						ID                  string           `json:"id"`
						Status              models.AppStatus `json:"status"`
						VIP                 bool             `json:"vip"`
						Address             string           `json:"address"`
						Category            string           `json:"category"`
						Channel             string           `json:"channel"`
						SubmittedAt         time.Time        `json:"submittedAt"`
						StepSince           time.Time        `json:"stepSince"`
						WantsCreditHandling bool             `json:"wantsCreditHandling"`
						Subject             struct {
							ID   string  `json:"id"`
							Name string  `json:"name"`
							USCC *string `json:"uscc"`
						} `json:"subject"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"applications"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return floorPage{}, err
	}
	if d := resp.Data.Deadlines; d != nil {
		if len(d.Edges) == 0 {
			return floorPage{}, errors.New("the product's deadlines page is empty")
		}
		return floorPage{deadlines: d}, nil
	}
	a := resp.Data.Applications
	if len(a.Edges) == 0 {
		return floorPage{}, errors.New("the product's queue page has no applications")
	}
	p := floorPage{conn: &model.ApplicationConnection{TotalCount: a.TotalCount,
		PageInfo: &model.PageInfo{HasNextPage: a.PageInfo.HasNextPage, EndCursor: &a.PageInfo.EndCursor}},
		subjects: map[string]*models.Subject{}}
	for _, e := range a.Edges {
		n := e.Node
		app := &models.Application{SubjectID: n.Subject.ID, Status: n.Status, VIP: n.VIP, Address: n.Address, Category: n.Category,
			Channel: n.Channel, SubmittedAt: n.SubmittedAt, StepSince: n.StepSince, WantsCredit: n.WantsCreditHandling}
		app.ID = n.ID
		p.conn.Edges = append(p.conn.Edges, model.ApplicationEdge{Cursor: e.Cursor, Node: app, AgeSeconds: e.AgeSeconds, StepDue: e.StepDue, Overdue: e.Overdue})
		s := &models.Subject{Name: n.Subject.Name, USCC: n.Subject.USCC}
		s.ID = n.Subject.ID
		p.subjects[s.ID] = s
	}
	return p, nil
}

// measureFloor measures the two floors with body, the request the product
// (at url, logged in with token) has just been measured with: it keeps the
// product's answer and the SELECTs the product sent for it, serves the
// answer from a second process (this command with -serve-floor), without
// and then with those statements, and runs the same sequential and
// concurrent load against each.
func measureFloor(ctx context.Context, o opts, db *sql.DB, dbName, dir, url, token string, body []byte, procs []int) ([]result, error) {
	var answer []byte
	keep := func(code int, b []byte) error { answer = b; return loadgen.NoErrors(`"edges"`)(code, b) }
	pl, err := capture(ctx, db, dbName, func() error { return loadgen.Post(http.DefaultClient, url, token, body, keep) })
	if err != nil {
		return nil, err
	}
	if _, err := decodeFloorPage(answer); err != nil {
		return nil, err
	}
	var stmts []string
	for _, st := range pl.stmts {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(st.sql)), "SELECT") {
			stmts = append(stmts, st.sql)
		}
	}
	if len(stmts) == 0 {
		return nil, errors.New("no SELECT captured for the product's request")
	}
	pageFile, stmtFile := filepath.Join(dir, "floor-page.json"), filepath.Join(dir, "floor-sql.json")
	rawStmts, _ := json.Marshal(stmts)
	if err := os.WriteFile(pageFile, answer, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(stmtFile, rawStmts, 0o600); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var out []result
	for _, v := range []struct{ name, stmts string }{
		{"floor: gqlgen + net/http only", ""},
		{fmt.Sprintf("floor: … + the product's %d SELECTs", len(stmts)), stmtFile},
	} {
		addr := loadgen.FreeAddr()
		cmd := exec.CommandContext(ctx, self, "-serve-floor", addr, "-floor-page", pageFile, "-floor-sql", v.stmts, "-db", o.db)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		// The floor's CPU where the product's was measured.
		fp := slices.Clone(procs)
		fp[0] = cmd.Process.Pid
		r, err := loadFloor(o, addr, body, fp)
		loadgen.StopProcess(cmd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		r.name = v.name
		out = append(out, r)
	}
	return out, nil
}

// loadFloor runs the bench's sequential and concurrent load against the
// floor listening on addr, measuring the CPU of procs.
func loadFloor(o opts, addr string, body []byte, procs []int) (result, error) {
	if err := loadgen.WaitReady("http://"+addr+"/healthz", 30*time.Second); err != nil {
		return result{}, err
	}
	url := "http://" + addr + "/graphql"
	check := loadgen.NoErrors(`"edges"`)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	t0 := time.Now()
	if err := loadgen.Post(client, url, "", body, check); err != nil {
		return result{}, err
	}
	cold := time.Since(t0)
	r, err := measureLoad(o, client, url, "", body, check, procs, nil)
	r.cold = cold
	return r, err
}

// readStatements reads the statements measureFloor saved.
func readStatements(file string) ([]string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var stmts []string
	return stmts, json.Unmarshal(raw, &stmts)
}

// runFloor serves the floor on addr until killed, with the page the
// product answered (file), and the product's default garbage-collector
// settings as `serve` applies them.
func runFloor(addr, file, stmtFile, dsn string) error {
	defaults, err := bare.TuneGC()
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	p, err := decodeFloorPage(raw)
	if err != nil {
		return err
	}
	if stmtFile != "" {
		if p.stmts, err = readStatements(stmtFile); err != nil {
			return err
		}
		norm, err := store.MySQLDSN(dsn)
		if err != nil {
			return err
		}
		if p.db, err = sql.Open("mysql", norm); err != nil {
			return err
		}
		// The product's pool (store.OpenDB with the defaults).
		p.db.SetMaxOpenConns(defaults.Storage.DBMaxOpen)
		p.db.SetMaxIdleConns(defaults.Storage.DBMaxIdle)
		p.db.SetConnMaxLifetime(defaults.Storage.DBConnLifetime)
	}
	return http.ListenAndServe(addr, floorHandler(p))
}

// floorHandler is the floor's handler: the product's schema on a bare
// server, the page from memory.
func floorHandler(p floorPage) http.Handler {
	return bare.Mux(bare.Handler(floorRoot{Resolver: &graph.Resolver{}, q: floorQuery{page: p}, a: floorApp{page: p}}))
}

type floorRoot struct {
	*graph.Resolver
	q floorQuery
	a floorApp
}

func (r floorRoot) Query() generated.QueryResolver             { return r.q }
func (r floorRoot) Application() generated.ApplicationResolver { return r.a }

type floorQuery struct {
	generated.QueryResolver // nil: only applications and deadlines are served
	page                    floorPage
}

func (q floorQuery) Applications(ctx context.Context, _ *model.ApplicationFilter, _ *apply.Order, _ *int, _ *string) (*model.ApplicationConnection, error) {
	if err := q.page.replay(ctx); err != nil {
		return nil, err
	}
	return q.page.conn, nil
}

func (q floorQuery) Deadlines(ctx context.Context, _ *model.DeadlineFilter, _ *int, _ *string) (*model.DeadlineConnection, error) {
	if err := q.page.replay(ctx); err != nil {
		return nil, err
	}
	return q.page.deadlines, nil
}

// replay sends the captured statements, each read to the end.
func (p floorPage) replay(ctx context.Context) error {
	for _, s := range p.stmts {
		if err := readAll(ctx, p.db, s); err != nil {
			return err
		}
	}
	return nil
}

// readAll runs one captured statement and reads its rows as raw bytes.
func readAll(ctx context.Context, db *sql.DB, stmt string) error {
	rows, err := db.QueryContext(ctx, stmt)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	raw := make([]sql.RawBytes, len(cols))
	dst := make([]any, len(cols))
	for i := range raw {
		dst[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return err
		}
	}
	return rows.Err()
}

type floorApp struct {
	generated.ApplicationResolver // nil: only subject is served
	page                          floorPage
}

func (a floorApp) Subject(_ context.Context, app *models.Application) (*models.Subject, error) {
	s, ok := a.page.subjects[app.SubjectID]
	if !ok {
		return nil, fmt.Errorf("no subject %s", app.SubjectID)
	}
	return s, nil
}
