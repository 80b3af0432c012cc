//go:build !unix

package sqlitex

import "testing"

func mkfifo(t *testing.T, _ string) { t.Skip("no named pipes in folders") }
