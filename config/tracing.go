package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Tracing is OpenTelemetry tracing (package tracing): off unless Endpoint
// is set.
type Tracing struct {
	// Endpoint is the OTLP/HTTP collector's URL (http://collector:4318, or
	// a URL with the path to post to); empty turns tracing off.
	Endpoint string `env:"CW_OTEL_ENDPOINT"`
	// ServiceName is the service.name the spans carry.
	ServiceName string `env:"CW_OTEL_SERVICE_NAME" envDefault:"creditwater"`
	// SampleRatio is the share of traces started here that are recorded
	// (0–1); a caller's sampled traceparent is always followed.
	SampleRatio float64 `env:"CW_OTEL_SAMPLE_RATIO" envDefault:"0.1"`
	// Headers are sent with every export (e.g. a collector's API key):
	// name=value pairs separated by commas.
	Headers map[string]string `env:"CW_OTEL_HEADERS" envKeyValSeparator:"=" secret:"true"`
}

// Enabled reports whether spans are exported.
func (t Tracing) Enabled() bool { return t.Endpoint != "" }

func (t Tracing) validate() error {
	if t.SampleRatio < 0 || t.SampleRatio > 1 {
		return fmt.Errorf("config: CW_OTEL_SAMPLE_RATIO must be between 0 and 1")
	}
	if !t.Enabled() {
		return nil
	}
	if u, err := url.Parse(t.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("config: CW_OTEL_ENDPOINT must be an http:// or https:// URL without credentials (put them in CW_OTEL_HEADERS)")
	}
	if strings.TrimSpace(t.ServiceName) == "" {
		return fmt.Errorf("config: CW_OTEL_SERVICE_NAME must not be empty")
	}
	return nil
}
