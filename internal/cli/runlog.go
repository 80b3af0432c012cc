package cli

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
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
		Logger: slog.New(slog.NewMultiHandler(
			slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}),
			slog.NewTextHandler(lw, &slog.HandlerOptions{Level: slog.LevelDebug}),
		)),
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

// openOutput creates the run's output folder and its command.log, which the
// log then writes to (after what it kept so far); closeDir closes both.
func (l *runLog) openOutput(outPath string, force bool) (dir *atomicfile.Dir, closeDir func(), err error) {
	dir, err = results.CreateOutDir(outPath, force, isOwnResultFile)
	if err != nil {
		return nil, nil, err
	}
	logFile, err := dir.CreateLog("command.log")
	if err != nil {
		dir.Close()
		return nil, nil, err
	}
	l.attach(logFile)
	return dir, func() { logFile.Close(); dir.Close() }, nil
}

// matcherOf is the run's matcher: none, not a typed nil, when no indicators
// were loaded, so the pipeline knows it has nothing to match.
func matcherOf(set *indicators.Set) scan.Matcher {
	if set == nil {
		return nil
	}
	return set
}

// writeReport writes the run's report.html and returns its name, or ""
// when skipped or failed (said on the console and in the log: the results
// stand without it). An interrupted run skips the report to stop quickly;
// 'huella report DIR' writes it from what ran. tl is the timeline the
// check handed the report during its merge pass; without it (check-iocs)
// the report reads timeline.jsonl.
func (a *app) writeReport(outPath string, opts report.Options, tl *report.Timeline, skip bool, log *runLog) string {
	if skip {
		return ""
	}
	var err error
	if tl != nil {
		err = report.WriteFrom(outPath, opts, tl)
	} else {
		err = report.Write(outPath, opts)
	}
	if err != nil {
		log.Error("report not written", "err", err)
		fmt.Fprintf(a.stderr, "huella: the report could not be written: %s\n", termsafeErr(err))
		return ""
	}
	return report.FileName(opts.Lang)
}
