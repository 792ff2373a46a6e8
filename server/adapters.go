package server

import (
	"context"
	"fmt"
	"os"

	"gorm.io/gorm"

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
		Timeout: s.cfg.CreditPlatformTimeout, Logger: s.log}
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
