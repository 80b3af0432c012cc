// Package netfile holds what the network modules (capture, dnslog,
// suricata, zeek) share around their parsers: their Run over the files of
// the network evidence, reading one file (gzip or not) into the
// aggregation of its traffic, reading a log line by line until the check
// is stopped, and the warnings and gaps of a file read only in part. Each
// module is then its declaration and its format's parser.
package netfile

import (
	"context"
	"fmt"
	"io"
	"net/netip"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/netcap"
)

// Each is the Runner of a module reading every file at its paths on its
// own, each file one traffic (Traffic: parse, then end reports on it),
// given its paths by module.Def.With; none found is ErrAbsent naming what.
// What a file held that could not be read is reported by end as a gap
// naming the file (env.Unreadable), so it does not fail the module: the
// module goes on with the other files and fails only when the check is
// stopped.
func Each[T any](what string, parse Parser[T], end Ending[T]) module.Runner {
	return func(paths []string) func(context.Context, *module.Env) error {
		return module.EachFile(what, paths, func(ctx context.Context, env *module.Env, name string) error {
			Traffic(ctx, env, name, parse, end)
			return ctx.Err()
		})
	}
}

// Open opens a file of the network evidence for streaming, decompressed
// when it is gzip (netcap.Decompress); a file that cannot be opened is
// reported unreadable.
func Open(env *module.Env, name string) (*netcap.Reader, error) {
	f, err := env.Open(name, netcap.Capture)
	if err != nil {
		env.Unreadable(name, err)
		return nil, err
	}
	r, err := netcap.Decompress(f)
	if err != nil {
		env.Unreadable(name, err)
		return nil, err
	}
	return r, nil
}

// Lines streams the lines of a network log to fn (netcap.Lines: a line
// longer than netcap.MaxLine is skipped and counted in long) and stops with
// the context's error once the check is stopped. The context is looked at
// every 4096 lines: a log of millions of lines is not slowed by it.
func Lines(ctx context.Context, r io.Reader, fn func(line []byte) error) (long int, err error) {
	i := 0
	return netcap.Lines(r, netcap.MaxLine, func(line []byte) error {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		i++
		return fn(line)
	})
}

// Addr reads an IP address a log writes; an IPv4 address written as
// IPv6 (::ffff:1.2.3.4) is the IPv4 one, so that both spellings meet in
// one flow. Anything else is the zero Addr, no address.
func Addr(v string) netip.Addr {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// Stopped reports a log whose reading stopped at err after n entries
// (unit names them: "entries", "events"): unreadable when none was read,
// else read only in part, the rest not checked. A stopped check is not the
// file's fault and is not reported. It returns err.
func Stopped(ctx context.Context, env *module.Env, name string, n int, unit string, err error) error {
	switch {
	case err == nil || ctx.Err() != nil:
	case n == 0:
		env.Unreadable(name, err)
	default:
		env.Unreadable(name, fmt.Errorf("read %d %s, then: %w", n, unit, err))
	}
	return err
}
