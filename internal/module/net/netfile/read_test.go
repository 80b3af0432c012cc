package netfile

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/source"
)

// TestEach: a network module made of Each, a parser and a Log's End reads
// every file as one traffic of its own, its records written out before the
// file is reported on, and turns how each file's reading ended into the
// warnings and gaps the network modules have always given.
func TestEach(t *testing.T) {
	counted := Log{Entries: "events", Lines: "lines", None: "none of its %d lines is an event", SaysLong: true}
	folded := Log{Entries: "entries", Lines: "lines", None: "none of its %d lines could be read"}
	damage := errors.New("bad block")
	one := map[string]string{"dns/a.log": "x\n"}
	tests := []struct {
		name     string
		files    map[string]string
		log      Log
		got      Tally // what the parser says it read
		err      error // where it stopped
		cancel   bool  // the check is stopped while the file is read
		wantErr  error // the module's
		parsed   int   // files handed to the parser
		warnings []string
	}{
		{"read whole", one, counted, Tally{Entries: 2}, nil, false, nil, 1, nil},
		{"each file its own traffic", map[string]string{"dns/a.log": "x\n", "dns/b.log": "y\n"}, counted, Tally{Entries: 1}, nil, false, nil, 2, nil},
		{"none found", map[string]string{"zeek/a.log": "x\n"}, counted, Tally{}, nil, false, module.ErrAbsent, 0, nil},
		{"cannot be opened", map[string]string{"dns/a.log.gz": "\x1f\x8b\x08"}, counted, Tally{}, nil, false, nil, 0,
			[]string{"dns/a.log.gz: unexpected EOF"}},
		{"damaged after 2 entries", one, counted, Tally{Entries: 2}, damage, false, nil, 1,
			[]string{"dns/a.log: read 2 events, then: bad block"}},
		{"damaged before any entry", one, folded, Tally{}, damage, false, nil, 1,
			[]string{"dns/a.log: bad block"}},
		{"stopped check: no gap, the module stops", one, counted, Tally{Entries: 2}, nil, true, context.Canceled, 1, nil},
		{"bad lines, long ones counted apart", one, counted, Tally{Entries: 3, Bad: 2, Long: 1}, nil, false, nil, 1,
			[]string{"dns/a.log: 3 lines could not be read (1 longer than 1048576 bytes)"}},
		{"bad lines, long ones among them", one, folded, Tally{Entries: 3, Bad: 2, Long: 1}, nil, false, nil, 1,
			[]string{"dns/a.log: 3 lines could not be read"}},
		{"no entry, only bad lines", one, counted, Tally{Bad: 2}, nil, false, nil, 1,
			[]string{"dns/a.log: 2 lines could not be read (0 longer than 1048576 bytes)", "dns/a.log: none of its 2 lines is an event"}},
		{"only long lines counted apart: no gap", one, counted, Tally{Long: 1}, nil, false, nil, 1,
			[]string{"dns/a.log: 1 lines could not be read (1 longer than 1048576 bytes)"}},
		{"only long lines among the bad: no entry", one, folded, Tally{Long: 1}, nil, false, nil, 1,
			[]string{"dns/a.log: 1 lines could not be read", "dns/a.log: none of its 1 lines could be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sink := &moduletest.Sink{}
			parsed, ended := 0, 0
			parse := func(ctx context.Context, env *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (Tally, error) {
				parsed++
				if b, err := io.ReadAll(r); err != nil || len(b) == 0 {
					t.Errorf("%s: read %q, %v", name, b, err)
				}
				// The same name in every file: one record a file only if
				// each file has an aggregation of its own.
				agg.DNS(netflow.DNSEvent{Name: "a.example", Type: "A", Source: name})
				if tt.cancel {
					cancel()
					return tt.got, ctx.Err()
				}
				return tt.got, tt.err
			}
			end := func(ctx context.Context, env *module.Env, name string, got Tally, err error) error {
				ended++
				if len(sink.Records) != ended {
					t.Errorf("%s: %d records before the report on the file, want %d: the aggregation is not closed first", name, len(sink.Records), ended)
				}
				return tt.log.End(ctx, env, name, got, err)
			}
			d := module.Network("net.test", "test").With([]string{"dns/**"}, Each("no test log", parse, end))
			ev := moduletest.MapEvidence(t, source.Network, tt.files)
			err := d.Run(ctx, module.NewEnv(ev, d.Name, sink, nil).WithContext(ctx))
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("err %v, want %v", err, tt.wantErr)
			}
			if parsed != tt.parsed || ended != tt.parsed || len(sink.Records) != tt.parsed {
				t.Errorf("parsed %d, reported on %d, %d records; want %d each", parsed, ended, len(sink.Records), tt.parsed)
			}
			if !slices.Equal(sink.Warnings, tt.warnings) {
				t.Errorf("warnings\n%q\nwant\n%q", sink.Warnings, tt.warnings)
			}
		})
	}
}
