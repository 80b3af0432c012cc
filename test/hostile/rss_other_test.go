//go:build !linux

package hostile

import "os"

// maxRSS is not measured off Linux; the time limit still applies.
func maxRSS(*os.ProcessState) int64 { return 0 }
