//go:build linux

package hostile

import (
	"os"
	"syscall"
)

// maxRSS is the peak resident memory of a finished child, in bytes.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // kilobytes on Linux
	}
	return 0
}
