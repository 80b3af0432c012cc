//go:build unix

package evfile

import "syscall"

// openNonblock makes opening a named pipe return at once instead of
// waiting for a writer; the file is then refused after fstat.
const openNonblock = syscall.O_NONBLOCK
