package server

import (
	"context"

	"creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
	"creditwater/enterprise"
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
