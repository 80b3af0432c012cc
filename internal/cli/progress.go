package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/results"
)

// progress shows one status line on a terminal: modules done, the module
// running and its record count. It is only used when stderr is a terminal.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	total   int
	done    int
	current map[string]int
	last    time.Time
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, current: map[string]int{}}
}

func (p *progress) ModuleStarted(name string) {
	p.mu.Lock()
	p.current[name] = 0
	p.draw(true)
	p.mu.Unlock()
}

func (p *progress) Records(name string, n int) {
	p.mu.Lock()
	p.current[name] = n
	p.draw(false)
	p.mu.Unlock()
}

func (p *progress) ModuleDone(info results.ModuleInfo) {
	p.mu.Lock()
	delete(p.current, info.Name)
	p.done++
	p.draw(true)
	if p.done == p.total {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.mu.Unlock()
}

func (p *progress) draw(force bool) {
	if !force && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	line := fmt.Sprintf("[%d/%d modules]", p.done, p.total)
	for name, n := range p.current {
		line += fmt.Sprintf(" %s %d", name, n)
		if len(line) > 100 {
			break
		}
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// clear erases the status line (an interrupted run never reaches the last
// ModuleDone that would).
func (p *progress) clear() {
	p.mu.Lock()
	if p.done != p.total {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.mu.Unlock()
}
