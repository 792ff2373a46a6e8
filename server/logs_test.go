package server_test

import (
	"context"
	"log/slog"
	"sync"
)

// levelLog is a slog.Handler keeping the messages logged at WARN and above.
type levelLog struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *levelLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelWarn }
func (l *levelLog) WithAttrs([]slog.Attr) slog.Handler               { return l }
func (l *levelLog) WithGroup(string) slog.Handler                    { return l }

func (l *levelLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// lines returns the messages logged at level, each with its attributes.
func (l *levelLog) lines(level slog.Level) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		if r.Level == level {
			line := r.Message
			r.Attrs(func(a slog.Attr) bool { line += " " + a.String(); return true })
			out = append(out, line+"\n")
		}
	}
	return out
}
