package server

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"gorm.io/gorm"

	"creditwater/apisign"
	"creditwater/apperr"
	"creditwater/apply"
	"creditwater/config"
	"creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
	"creditwater/enterprise"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/publication"
	"creditwater/rating"
	"creditwater/wechat"
)

// faceAdapter lets the WeChat client serve the enterprise package's
// FaceVerifier port.
type faceAdapter struct{ wx *wechat.Client }

func (f faceAdapter) StartFace(ctx context.Context, r enterprise.FaceStart) (string, error) {
	return f.wx.StartFaceVerification(ctx, wechat.FaceRequest{OutSeqNo: r.OutSeqNo, CertName: r.CertName, CertNo: r.CertNo, OpenID: r.OpenID})
}

func (f faceAdapter) QueryFace(ctx context.Context, q enterprise.FaceQuery) (string, int, error) {
	res, err := f.wx.QueryFaceVerification(ctx, wechat.FaceQuery{VerifyID: q.VerifyID, OutSeqNo: q.OutSeqNo, CertName: q.CertName, CertNo: q.CertNo, OpenID: q.OpenID})
	return string(res.Outcome), res.VerifyRet, err
}

// newCreditPlatform builds the credit-platform client, in development
// against the in-process simulator served over real HTTP.
func (s *Server) newCreditPlatform() *creditplatform.Client {
	cp := s.cfg.CreditPlatform
	cfg := s.upstream(cp.Upstream)
	cfg.BreakerFailures, cfg.BreakerFailureRatio, cfg.BreakerMinRequests = uint32(cp.BreakerFailures), cp.BreakerRatio, uint32(cp.BreakerMinRequests)
	cfg.BreakerWindow, cfg.BreakerOpenTimeout = cp.BreakerWindow, cp.BreakerOpen
	if cp.Simulator && cfg.BaseURL == "" {
		s.sim = simulator.New(simulator.Options{})
		s.simulate(&cfg, "the credit platform", s.sim, simulator.DefaultAppKey, simulator.DefaultAppSecret)
	}
	return creditplatform.New(cfg)
}

// upstream is the client configuration of a signed API's settings.
func (s *Server) upstream(u config.Upstream) apisign.Config {
	return apisign.Config{BaseURL: u.URL, AppKey: u.Key, AppSecret: u.Secret, Timeout: u.Timeout, Logger: s.log}
}

// localSimulator is an upstream's in-process simulator served over real
// HTTP (apisign.LocalServer).
type localSimulator interface {
	Start() string
	Close()
}

// simulate starts sim, closed with the server, and points cfg at it with
// the simulator's app key and secret.
func (s *Server) simulate(cfg *apisign.Config, what string, sim localSimulator, appKey, appSecret string) {
	cfg.BaseURL = sim.Start()
	cfg.AppKey, cfg.AppSecret = appKey, appSecret
	s.closers = append(s.closers, sim.Close)
	s.log.Info(what+" is served by the local simulator", "url", cfg.BaseURL)
}

// enqueue adapts the outbox to apply's Enqueue port.
func enqueue(ctx context.Context, tx *gorm.DB, key, kind, aggregateID string, payload any) error {
	return outbox.Enqueue(ctx, tx, outbox.Message{Key: key, Kind: kind, AggregateID: aggregateID, Payload: payload})
}

// instanceName names this process among instances (host:pid).
func instanceName() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}

// newOfficialAccount builds the official-account endpoint (R6.4), or nil
// when CW_OA_TOKEN is not set. CLICK events are answered from the menu.
func (s *Server) newOfficialAccount(baseURL string) (*wechat.OfficialAccount, error) {
	if s.cfg.OA.Token == "" {
		return nil, nil
	}
	menu, err := loadMenu(s.cfg)
	if err != nil {
		return nil, err
	}
	return wechat.NewOfficialAccount(wechat.OAConfig{AppID: s.cfg.OA.AppID, AppSecret: s.cfg.OA.Secret, Token: s.cfg.OA.Token,
		EncodingAESKey: s.cfg.OA.AESKey, MiniProgramAppID: s.cfg.WeChat.AppID, Timeout: s.cfg.WeChat.Timeout, BaseURL: baseURL,
		TimestampWindow: s.cfg.OA.TimestampWindow, AllowPlain: s.cfg.OA.AllowPlain},
		wechat.NewTokenCache(s.rdb, s.cfg.Storage.RedisPrefix), wechat.NewRedisDeduper(s.rdb, s.cfg.Storage.RedisPrefix+"dedup:"), wechat.MenuClickReplies(menu), s.log)
}

// loadMenu reads the official account's menu: CW_OA_MENU_FILE, or the
// embedded config/menu.json.
func loadMenu(cfg config.Config) (wechat.Menu, error) {
	if cfg.OA.MenuFile != "" {
		return wechat.LoadMenuFile(cfg.OA.MenuFile)
	}
	return wechat.LoadMenu(bytes.NewReader(config.DefaultMenu))
}

// identityAdapter lets the enterprise service serve apply's Identity port.
type identityAdapter struct{ ent *enterprise.Service }

func (a identityAdapter) Subject(ctx context.Context, id string) (models.Subject, error) {
	return a.ent.Subject(ctx, id)
}

func (a identityAdapter) Signer(ctx context.Context, subjectID string) (apply.Signature, error) {
	sig, err := a.ent.Signer(ctx, subjectID)
	return apply.Signature{Binding: sig.Binding, Subject: sig.Subject, FaceID: sig.FaceID}, err
}

// publisherAdapter lets the credit-platform client serve the domain's
// publication.Publisher port: the wire types stay in the adapter.
type publisherAdapter struct{ c *creditplatform.Client }

func (a publisherAdapter) Publish(ctx context.Context, r publication.Request) (publication.Receipt, error) {
	res, err := a.c.Publish(ctx, creditplatform.Publication{IdempotencyKey: r.IdempotencyKey, Kind: creditplatform.PublicationKind(r.Kind),
		SubjectUSCC: r.SubjectUSCC, Title: r.Title, Body: r.Body})
	return publication.Receipt{ID: res.PublicationID, PublishedAt: res.PublishedAt}, err
}

func (a publisherAdapter) Withdraw(ctx context.Context, w publication.Withdrawal) (publication.WithdrawalReceipt, error) {
	res, err := a.c.Withdraw(ctx, creditplatform.Withdrawal{IdempotencyKey: w.IdempotencyKey, PublicationID: w.PublicationID, Reason: w.Reason})
	return publication.WithdrawalReceipt{ID: res.PublicationID, WithdrawnAt: res.WithdrawnAt}, err
}

// platformAdapter lets the credit-platform client serve the domain's
// rating.Platform port: the wire types stay in the adapter, and a change of
// the platform's API changes the mapping below, not the domain, the cache or
// the GraphQL schema.
type platformAdapter struct{ c *creditplatform.Client }

func (a platformAdapter) Rating(ctx context.Context, uscc string) (rating.Rating, error) {
	res, err := a.c.Rating(ctx, uscc)
	if err != nil {
		return rating.Rating{}, err
	}
	return ratingFromWire(res)
}

func (a platformAdapter) Report(ctx context.Context, uscc string) (*rating.Report, error) {
	rep, err := a.c.Report(ctx, uscc)
	if err != nil {
		return nil, err
	}
	return reportFromWire(rep)
}

// wireLevels maps the platform's rating values to the domain's levels.
var wireLevels = map[creditplatform.Rating]rating.Level{
	creditplatform.RatingA: rating.LevelA, creditplatform.RatingB: rating.LevelB,
	creditplatform.RatingC: rating.LevelC, creditplatform.RatingD: rating.LevelD,
}

// levelFromWire maps a wire rating to a level. A value the domain does not
// know is an unusable answer: UNAVAILABLE (reason
// CREDIT_PLATFORM_UNAVAILABLE), as the client treats any malformed response.
func levelFromWire(r creditplatform.Rating) (rating.Level, error) {
	if l, ok := wireLevels[r]; ok {
		return l, nil
	}
	e := apperr.New(apperr.Unavailable, "城市信用平台返回了无法识别的信用评级").WithReason(creditplatform.ReasonUnavailable)
	e.RetryAfter = creditplatform.DefaultRetryAfter
	return "", e
}

// ratingFromWire maps the platform's rating answer to the domain's Rating;
// it returns UNAVAILABLE for a rating outside A–D.
func ratingFromWire(res creditplatform.RatingResult) (rating.Rating, error) {
	l, err := levelFromWire(res.Rating)
	if err != nil {
		return rating.Rating{}, err
	}
	return rating.Rating{USCC: res.USCC, Level: l, EvaluatedAt: res.EvaluatedAt}, nil
}

// reportFromWire maps the platform's credit report to the domain's Report
// (entries never nil); it returns UNAVAILABLE for a rating outside A–D.
func reportFromWire(rep *creditplatform.Report) (*rating.Report, error) {
	l, err := levelFromWire(rep.Rating)
	if err != nil {
		return nil, err
	}
	entries := make([]rating.Entry, 0, len(rep.Entries))
	for _, e := range rep.Entries {
		entries = append(entries, rating.Entry{Kind: e.Kind, Description: e.Description, DecidedOn: e.DecidedOn, Authority: e.Authority, DocumentNo: e.DocumentNo})
	}
	return &rating.Report{ReportNo: rep.ReportNo, SubjectName: rep.SubjectName, USCC: rep.USCC, Level: l, Entries: entries,
		IssuedAt: rep.IssuedAt, PeriodFrom: rep.PeriodFrom, PeriodTo: rep.PeriodTo, PDFSHA256: rep.PDFSHA256}, nil
}
