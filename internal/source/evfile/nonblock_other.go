//go:build !unix

package evfile

// openNonblock: Windows has no named pipes inside folders (they live in
// \\.\pipe\), so a plain open cannot block on one.
const openNonblock = 0
