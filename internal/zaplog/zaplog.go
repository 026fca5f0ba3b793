// Package zaplog lets the Temporal SDK log through zap.
package zaplog

import (
	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
)

// Logger adapts a zap logger to the SDK's key-value [log.Logger].
type Logger struct {
	s *zap.SugaredLogger
}

var _ log.Logger = (*Logger)(nil)

// New returns a Logger writing to z. The SDK's caller frames are skipped so
// that log lines point at the code that logged.
func New(z *zap.Logger) *Logger {
	return &Logger{s: z.WithOptions(zap.AddCallerSkip(1)).Sugar()}
}

// Debug logs msg with key-value pairs at debug level.
func (l *Logger) Debug(msg string, keyvals ...any) { l.s.Debugw(msg, keyvals...) }

// Info logs msg with key-value pairs at info level.
func (l *Logger) Info(msg string, keyvals ...any) { l.s.Infow(msg, keyvals...) }

// Warn logs msg with key-value pairs at warn level.
func (l *Logger) Warn(msg string, keyvals ...any) { l.s.Warnw(msg, keyvals...) }

// Error logs msg with key-value pairs at error level.
func (l *Logger) Error(msg string, keyvals ...any) { l.s.Errorw(msg, keyvals...) }

// With returns a Logger that adds keyvals to every line.
func (l *Logger) With(keyvals ...any) log.Logger {
	return &Logger{s: l.s.With(keyvals...)}
}
