package hostile

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// addressLimitKB caps the child's address space so a hostile input that
// defeats huella's bounds fails the test instead of exhausting the shared
// machine. Go programs run comfortably in it; 1 GB of RSS is asserted apart.
const addressLimitKB = 4 << 20

// limitedCommand runs huella under `ulimit -v` and, when GNU time exists,
// under /usr/bin/time, whose fresh fork measures huella's own peak memory
// (a child exec'd straight from this test would inherit the test
// process's high-water mark).
func limitedCommand(ctx context.Context, t *testing.T, bin string, args []string) (*exec.Cmd, string) {
	t.Helper()
	rssFile := filepath.Join(t.TempDir(), "rss")
	var q []string
	for _, a := range append([]string{bin}, args...) {
		q = append(q, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	run := strings.Join(q, " ")
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		run = "/usr/bin/time -q -f %M -o '" + rssFile + "' " + run
	}
	script := fmt.Sprintf("ulimit -v %d; exec %s", addressLimitKB, run)
	return exec.CommandContext(ctx, "sh", "-c", script), rssFile
}

// peakRSS reads GNU time's report (kilobytes), or falls back to rusage.
func peakRSS(t *testing.T, rssFile string, ps *os.ProcessState) int64 {
	if b, err := os.ReadFile(rssFile); err == nil {
		lines := strings.Fields(string(b))
		if len(lines) > 0 {
			if kb, err := strconv.ParseInt(lines[len(lines)-1], 10, 64); err == nil {
				return kb << 10
			}
		}
	}
	return maxRSS(ps)
}
