package server

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"gorm.io/gorm"

	"creditwater/config"
	"creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
	"creditwater/enterprise"
	"creditwater/outbox"
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
	cfg := creditplatform.Config{BaseURL: s.cfg.CreditPlatformURL, AppKey: s.cfg.CreditPlatformKey, AppSecret: s.cfg.CreditPlatformSecret,
		Timeout: s.cfg.CreditPlatformTimeout, Logger: s.log,
		BreakerFailures: uint32(s.cfg.BreakerFailures), BreakerFailureRatio: s.cfg.BreakerRatio,
		BreakerMinRequests: uint32(s.cfg.BreakerMinRequests), BreakerWindow: s.cfg.BreakerWindow, BreakerOpenTimeout: s.cfg.BreakerOpen}
	if s.cfg.CreditPlatformSimulator && cfg.BaseURL == "" {
		s.sim = simulator.New(simulator.Options{})
		cfg.BaseURL = s.sim.Start()
		cfg.AppKey, cfg.AppSecret = simulator.DefaultAppKey, simulator.DefaultAppSecret
		s.closers = append(s.closers, s.sim.Close)
		s.log.Info("the credit platform is served by the local simulator", "url", cfg.BaseURL)
	}
	return creditplatform.New(cfg)
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
	if s.cfg.OAToken == "" {
		return nil, nil
	}
	menu, err := s.Menu()
	if err != nil {
		return nil, err
	}
	return wechat.NewOfficialAccount(wechat.OAConfig{AppID: s.cfg.OAAppID, AppSecret: s.cfg.OASecret, Token: s.cfg.OAToken,
		EncodingAESKey: s.cfg.OAAESKey, MiniProgramAppID: s.cfg.WeChatAppID, Timeout: s.cfg.WeChatTimeout, BaseURL: baseURL},
		wechat.NewTokenCache(s.rdb, s.cfg.RedisPrefix), wechat.NewRedisDeduper(s.rdb, s.cfg.RedisPrefix+"dedup:"), wechat.MenuClickReplies(menu), s.log)
}

// Menu is the official account's menu: CW_OA_MENU_FILE, or the embedded
// config/menu.json.
func (s *Server) Menu() (wechat.Menu, error) {
	if s.cfg.OAMenuFile != "" {
		return wechat.LoadMenuFile(s.cfg.OAMenuFile)
	}
	return wechat.LoadMenu(bytes.NewReader(config.DefaultMenu))
}
