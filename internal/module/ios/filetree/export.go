package filetree

import (
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// RecordFor is the record this module emits for one entry of a dump, for
// tools that judge a file list without building the tree (the precision
// benchmark over a real image's 474,000 paths).
func RecordFor(devicePath string, modified time.Time, dir bool) *model.Record {
	return record(strings.TrimPrefix(devicePath, "/"), &Entry{Path: devicePath, Dir: dir, Modified: modified})
}
