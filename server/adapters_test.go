package server

import (
	"context"
	"reflect"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
	"creditwater/rating"
)

// R6.2: the credit platform's wire answers map to the domain's types field
// by field; a rating outside A–D is an unusable answer (UNAVAILABLE), never
// a level the domain does not know.
func TestPlatformWireMapsToDomain_R6_2(t *testing.T) {
	issued := time.Date(2026, 1, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for wire, want := range map[creditplatform.Rating]rating.Level{
		creditplatform.RatingA: rating.LevelA, creditplatform.RatingB: rating.LevelB,
		creditplatform.RatingC: rating.LevelC, creditplatform.RatingD: rating.LevelD,
	} {
		got, err := ratingFromWire(creditplatform.RatingResult{USCC: simulator.EnterpriseA, Rating: wire, EvaluatedAt: issued})
		if err != nil || got != (rating.Rating{USCC: simulator.EnterpriseA, Level: want, EvaluatedAt: issued}) {
			t.Errorf("rating %s: %+v, %v", wire, got, err)
		}
	}

	wire := &creditplatform.Report{ReportNo: "SGXYBG20260115000001", SubjectName: "韶关市浈江清源食品有限公司", USCC: simulator.EnterpriseA,
		Rating: creditplatform.RatingC, IssuedAt: issued, PeriodFrom: issued.AddDate(-3, 0, 0), PeriodTo: issued, PDFSHA256: "ab12",
		Entries: []creditplatform.DishonestyEntry{
			{Kind: "欠缴水费", Description: "欠费", DecidedOn: "2025-03-01", Authority: "韶关市水务局", DocumentNo: "韶水罚〔2025〕12号"},
			{Kind: "行政处罚", Description: "违规用水", DecidedOn: "2025-06-10", Authority: "韶关市水务局"},
		}}
	want := &rating.Report{ReportNo: "SGXYBG20260115000001", SubjectName: "韶关市浈江清源食品有限公司", USCC: simulator.EnterpriseA,
		Level: rating.LevelC, IssuedAt: issued, PeriodFrom: issued.AddDate(-3, 0, 0), PeriodTo: issued, PDFSHA256: "ab12",
		Entries: []rating.Entry{
			{Kind: "欠缴水费", Description: "欠费", DecidedOn: "2025-03-01", Authority: "韶关市水务局", DocumentNo: "韶水罚〔2025〕12号"},
			{Kind: "行政处罚", Description: "违规用水", DecidedOn: "2025-06-10", Authority: "韶关市水务局"},
		}}
	if got, err := reportFromWire(wire); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("report:\n got %+v, %v\nwant %+v", got, err, want)
	}
	wire.Entries = nil
	if got, err := reportFromWire(wire); err != nil || got.Entries == nil || len(got.Entries) != 0 {
		t.Errorf("report without entries: %+v, %v; want an empty list", got, err)
	}

	for _, bad := range []creditplatform.Rating{"", "E", "a"} {
		_, err := ratingFromWire(creditplatform.RatingResult{USCC: simulator.EnterpriseA, Rating: bad})
		if e := apperr.As(err); e == nil || e.Code != apperr.Unavailable || e.Reason != rating.ReasonPlatformUnavailable || e.RetryAfter <= 0 {
			t.Errorf("rating %q: %v, want UNAVAILABLE", bad, err)
		}
		wire.Rating = bad
		if _, err := reportFromWire(wire); !apperr.Is(err, apperr.Unavailable) {
			t.Errorf("report rated %q: %v, want UNAVAILABLE", bad, err)
		}
	}
	// One reason whichever layer says the platform is unavailable.
	if creditplatform.ReasonUnavailable != rating.ReasonPlatformUnavailable {
		t.Errorf("reasons differ: %s, %s", creditplatform.ReasonUnavailable, rating.ReasonPlatformUnavailable)
	}
}

// R6.2: through the real client over HTTP, the adapter serves the domain's
// port with the simulator's fixtures, and passes the client's errors on.
func TestPlatformAdapterOverHTTP_R6_2(t *testing.T) {
	sim := simulator.New(simulator.Options{})
	url := sim.Start()
	t.Cleanup(sim.Close)
	var p rating.Platform = platformAdapter{c: creditplatform.New(creditplatform.Config{BaseURL: url,
		AppKey: simulator.DefaultAppKey, AppSecret: simulator.DefaultAppSecret, Timeout: 5 * time.Second})}
	ctx := context.Background()
	r, err := p.Rating(ctx, simulator.EnterpriseD)
	if err != nil || r.USCC != simulator.EnterpriseD || r.Level != rating.LevelD || r.EvaluatedAt.IsZero() || !r.FetchedAt.IsZero() {
		t.Fatalf("rating: %+v, %v", r, err)
	}
	rep, err := p.Report(ctx, simulator.EnterpriseWithEntries)
	if err != nil || rep.USCC != simulator.EnterpriseWithEntries || rep.Level != rating.LevelC || len(rep.Entries) != 2 ||
		rep.Entries[0].Kind == "" || rep.Entries[0].DecidedOn == "" || rep.ReportNo == "" || rep.IssuedAt.IsZero() {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	if rep, err := p.Report(ctx, simulator.EnterpriseA); err != nil || rep.Entries == nil || len(rep.Entries) != 0 {
		t.Fatalf("report without entries: %+v, %v", rep, err)
	}
	if _, err := p.Rating(ctx, simulator.EnterpriseUnknown); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown enterprise: %v", err)
	}
	sim.SetFault(simulator.Fault{Status: 503})
	if _, err := p.Report(ctx, simulator.EnterpriseA); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("platform down: %v", err)
	}
}
