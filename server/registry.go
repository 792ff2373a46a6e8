package server

import (
	"context"

	"creditwater/enterprise"
	"creditwater/registry"
	regsim "creditwater/registry/simulator"
)

// newRegistry builds the enterprise-registry client (R6.5), in development
// against the in-process simulator served over real HTTP.
func (s *Server) newRegistry() *registry.Client {
	cfg := s.upstream(s.cfg.Registry.Upstream)
	if s.cfg.Registry.Simulator && cfg.BaseURL == "" {
		s.regSim = regsim.New(regsim.Options{})
		s.simulate(&cfg, "the enterprise registry", s.regSim, regsim.DefaultAppKey, regsim.DefaultAppSecret)
	}
	return registry.New(cfg)
}

// registryAdapter lets the registry client serve the enterprise package's
// Registry port: the adapter's wire types become the domain's.
type registryAdapter struct{ c *registry.Client }

func (a registryAdapter) Lookup(ctx context.Context, uscc string) (enterprise.RegistryEntry, error) {
	e, err := a.c.Lookup(ctx, uscc)
	if err != nil {
		return enterprise.RegistryEntry{}, err
	}
	return enterprise.RegistryEntry{USCC: e.USCC, Name: e.Name, Status: enterprise.RegistryStatus(e.Status), LegalRepName: e.LegalRepName, LegalRepSince: e.LegalRepSince}, nil
}

func (a registryAdapter) VerifyLegalRep(ctx context.Context, uscc, name, idType, idNumber string) (bool, error) {
	return a.c.VerifyLegalRep(ctx, uscc, name, idType, idNumber)
}
