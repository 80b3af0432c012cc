package netfile

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

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

func TestParseTime(t *testing.T) {
	layouts := []string{"2006-01-02T15:04:05.999999-0700", time.RFC3339Nano}
	at := time.Date(2024, 2, 20, 3, 14, 0, 50_000_000, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2024-02-20T03:14:00.050000+0000", at, false}, // the first layout
		{"2024-02-20T03:14:00.05Z", at, false},         // the second
		{"", time.Time{}, false},                       // no date
		{"yesterday", time.Time{}, true},
		{"2024-02-20 03:14:00", time.Time{}, true}, // no layout fits
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, layouts...)
		if !got.Equal(tt.want) || (err != nil) != tt.err {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), strconv.Quote(tt.in)) {
			t.Errorf("error %q does not quote the text", err)
		}
	}
}
