package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
)

// logSilent is above every level used: the console handler of a run that
// is not --verbose shows no log line at all (the summary says what matters).
const logSilent = slog.Level(100)

// runLog is a run's logger: everything goes to command.log, the console
// shows log lines only with --verbose. command.log only exists once the
// evidence has opened and the output folder is created, so lines logged
// before that are kept in memory and written first when it is attached.
type runLog struct {
	*slog.Logger
	file *lateWriter
}

func newRunLog(stderr io.Writer, verbose bool) *runLog {
	lvl := logSilent
	if verbose {
		lvl = slog.LevelInfo
	}
	lw := &lateWriter{}
	return &runLog{
		Logger: slog.New(fanout{
			slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}),
			slog.NewTextHandler(lw, &slog.HandlerOptions{Level: slog.LevelDebug}),
		}),
		file: lw,
	}
}

// attach starts writing to w, after what was logged so far.
func (l *runLog) attach(w io.Writer) error { return l.file.attach(w) }

// lateWriter buffers (up to maxEarlyLog) until a destination is attached.
type lateWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	w   io.Writer
}

const maxEarlyLog = 1 << 20

func (l *lateWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w != nil {
		return l.w.Write(p)
	}
	if l.buf.Len()+len(p) <= maxEarlyLog {
		l.buf.Write(p)
	}
	return len(p), nil
}

func (l *lateWriter) attach(w io.Writer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w = w
	_, err := l.buf.WriteTo(w)
	return err
}

// quietLogger is for commands without a results folder: log lines only
// when something is wrong enough to warn about.
func quietLogger(a *app) *slog.Logger {
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}
