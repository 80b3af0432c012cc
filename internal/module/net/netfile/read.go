package netfile

import (
	"context"
	"fmt"
	"io"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/source/netcap"
)

// Parser reads one file of a network format into the aggregation of its
// traffic and says what it read: a Tally for a log, a capture's own
// counts. Its error is where the reading stopped.
type Parser[T any] func(ctx context.Context, env *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (T, error)

// Ending reports how the reading of one file ended (what it read, the
// error it stopped at) as warnings and gaps naming the file, and returns
// the error that stays: nil when the file was read after all.
type Ending[T any] func(ctx context.Context, env *module.Env, name string, got T, err error) error

// Read reads one file of the network evidence: Open (a file that cannot be
// opened is reported unreadable), parse, then end says how it went.
func Read[T any](ctx context.Context, env *module.Env, name string, parse func(r io.Reader) (T, error), end Ending[T]) error {
	r, err := Open(env, name)
	if err != nil {
		return err
	}
	defer r.Close()
	got, err := parse(r)
	return end(ctx, env, name, got, err)
}

// Traffic reads one file that is one traffic: Read with an aggregation of
// its own, closed (its records and its warnings written out) before end
// reports on the file.
func Traffic[T any](ctx context.Context, env *module.Env, name string, parse Parser[T], end Ending[T]) error {
	return Read(ctx, env, name, func(r io.Reader) (T, error) {
		agg := netflow.New(netflow.DefaultLimits, env)
		defer agg.Close()
		return parse(ctx, env, name, r, agg)
	}, end)
}

// Tally is what a parser of a log made of its lines.
type Tally struct {
	Entries int // entries read
	Bad     int // lines that are not an entry of the format
	Long    int // lines longer than netcap.MaxLine, skipped (Lines' long)
}

// Log is how a log format's reports name what it holds; its End is the
// Ending of its files.
type Log struct {
	Entries string // what "read N ..., then" counts: "entries", "events"
	Lines   string // what the warning of lines not read counts: "lines", "entries"
	// None is the gap of a file of which no entry was read, only bad
	// lines; %d is their number.
	None string
	// SaysLong: the warning says how many lines were too long. Without it
	// they are bad lines like the others, in the warning and in None.
	SaysLong bool
}

// End warns of the lines that could not be read and reports a log that
// stopped early (Stopped) or held no entry at all as unreadable.
func (l Log) End(ctx context.Context, env *module.Env, name string, t Tally, err error) error {
	bad := t.Bad
	if l.SaysLong {
		if t.Bad+t.Long > 0 {
			env.Warn("%s: %d %s could not be read (%d longer than %d bytes)", name, t.Bad+t.Long, l.Lines, t.Long, netcap.MaxLine)
		}
	} else if bad += t.Long; bad > 0 {
		env.Warn("%s: %d %s could not be read", name, bad, l.Lines)
	}
	switch {
	case err != nil:
		return Stopped(ctx, env, name, t.Entries, l.Entries, err)
	case t.Entries == 0 && bad > 0:
		env.Unreadable(name, fmt.Errorf(l.None, bad))
	}
	return nil
}
