// Package scratch is a run's private temporary folder and the one disk
// budget every temporary write of the run shares: archive extraction,
// decryption of encrypted backups and the private copies of SQLite
// databases.
//
// A size is reserved before the first byte is written, from what the
// evidence declares (tar and zip headers, .ab entries, a file's size), and a
// writer never writes more than it reserved. So a 110 KB tar of sixteen
// 16 GiB sparse entries, or overlapping zip entries that all point at one
// compressed stream, is refused before anything reaches the disk.
package scratch

import (
	"errors"
	"fmt"
	"sync"

	"github.com/huella-project/huella/internal/source/evfile"
)

// Floor is the smallest default budget: room for a real iOS backup's
// databases to be copied or decrypted whatever the size of the input.
const Floor = 1 << 30

// Factor times the evidence's size on disk is the default budget when that
// is more than Floor: a dump extracts to about its own size, a compressed
// one to a few times that.
const Factor = 4

// ErrBudget is what every budget refusal wraps.
var ErrBudget = errors.New("temporary disk budget exceeded")

// ErrClosed: the run is over (or was interrupted) and its folder removed.
var ErrClosed = errors.New("temporary folder already removed (run over or interrupted)")

// ExceededError names what did not fit.
type ExceededError struct {
	What  string // the file or archive that needed the room
	Need  int64
	Used  int64
	Limit int64
}

func (e *ExceededError) Error() string {
	return fmt.Sprintf("%s: needs %s of temporary disk, over the run's budget (%s of %s already in use); raise it with --temp-budget if the evidence really is that large",
		e.What, evfile.Size(e.Need), evfile.Size(e.Used), evfile.Size(e.Limit))
}

func (e *ExceededError) Unwrap() error { return ErrBudget }

// Budget counts the bytes a run may write to its temporary folder.
type Budget struct {
	mu      sync.Mutex
	limit   int64
	limitFn func() int64 // computed on first use: walking a large folder costs time
	used    int64
	peak    int64
	closed  bool
}

// NewBudget is a budget of limit bytes.
func NewBudget(limit int64) *Budget { return &Budget{limit: limit} }

// DefaultBudget is max(Factor × the size on disk of the evidence at p,
// Floor), the size measured on first use.
func DefaultBudget(p string) *Budget {
	return &Budget{limitFn: func() int64 { return max(Factor*DiskUsage(p), Floor) }}
}

// Unlimited is for tools and tests that write no hostile input.
func Unlimited() *Budget { return NewBudget(1 << 62) }

func (b *Budget) limitLocked() int64 {
	if b.limitFn != nil {
		b.limit, b.limitFn = b.limitFn(), nil
	}
	return b.limit
}

// Limit is the budget in bytes.
func (b *Budget) Limit() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.limitLocked()
}

// Used is what is reserved now; Peak the most ever reserved at once.
func (b *Budget) Used() int64 { b.mu.Lock(); defer b.mu.Unlock(); return b.used }
func (b *Budget) Peak() int64 { b.mu.Lock(); defer b.mu.Unlock(); return b.peak }

// Reserve takes n bytes from the budget for what, or refuses.
func (b *Budget) Reserve(what string, n int64) error {
	if n < 0 {
		return fmt.Errorf("%s: negative size %d", what, n)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("%s: %w", what, ErrClosed)
	}
	lim := b.limitLocked()
	if n > lim-b.used {
		return &ExceededError{What: what, Need: n, Used: b.used, Limit: lim}
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	return nil
}

// Release gives back n bytes reserved earlier (a private copy removed).
func (b *Budget) Release(n int64) {
	b.mu.Lock()
	b.used = max(b.used-n, 0)
	b.mu.Unlock()
}

// Close refuses every later reservation.
func (b *Budget) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

func (b *Budget) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}
