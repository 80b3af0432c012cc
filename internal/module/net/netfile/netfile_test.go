package netfile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/source/netcap"
)

func TestLines(t *testing.T) {
	many := strings.Repeat("x\n", 10_000)
	tests := []struct {
		name      string
		in        string
		cancelled bool
		want      int // lines handed to fn
		long      int
		err       error
	}{
		{"lines in order", "a\r\nb\n\nc", false, 4, 0, nil},
		{"long line skipped and counted", "a\n" + strings.Repeat("y", netcap.MaxLine+1) + "\nb\n", false, 2, 1, nil},
		{"a stopped check reads nothing", many, true, 0, 0, context.Canceled},
		{"a live check reads all", many, false, 10_000, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			var got []string
			long, err := Lines(ctx, strings.NewReader(tt.in), func(line []byte) error {
				got = append(got, string(line))
				return nil
			})
			if len(got) != tt.want || long != tt.long || !errors.Is(err, tt.err) {
				t.Fatalf("%d lines, %d long, err %v; want %d, %d, %v", len(got), long, err, tt.want, tt.long, tt.err)
			}
			if tt.name == "lines in order" && strings.Join(got, "|") != "a|b||c" {
				t.Errorf("lines %q", got)
			}
		})
	}
}

// TestLinesStopsWhenCancelled: a check stopped while a long log is read
// ends within 4096 lines, with the context's error.
func TestLinesStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	_, err := Lines(ctx, strings.NewReader(strings.Repeat("x\n", 100_000)), func([]byte) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > 4096 {
		t.Fatalf("read %d lines after the stop, err %v", n, err)
	}
}

func TestAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.2.3.4", "1.2.3.4"},
		{"::ffff:1.2.3.4", "1.2.3.4"}, // one flow whichever way it is written
		{"2001:db8::1", "2001:db8::1"},
		{"fe80::1%en0", "fe80::1%en0"},
		{"", "invalid IP"},
		{"-", "invalid IP"},
		{"example.com", "invalid IP"},
		{"1.2.3.4:53", "invalid IP"},
	}
	for _, tt := range tests {
		if got := Addr(tt.in).String(); got != tt.want {
			t.Errorf("Addr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
