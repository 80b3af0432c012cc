package androidqf

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
)

// IntrusionEventTypes are the top-level keys Android 16's intrusion logging
// writes, one event per NDJSON line.
var IntrusionEventTypes = []string{"dns_event", "connect_event", "security_event"}

// DetectIntrusionLogs says whether fsys holds intrusion logs, judging by
// content: a file whose first JSON line has a known event key.
func DetectIntrusionLogs(fsys fs.FS) bool {
	found, seen := false, 0
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return fs.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if seen++; seen > 200 {
			return fs.SkipAll
		}
		if IsIntrusionLog(fsys, p) {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// IsIntrusionLog says whether the first non-empty line of the file is an
// intrusion-log event.
func IsIntrusionLog(fsys fs.FS, name string) bool {
	f, err := evfile.Open(fsys, name, evfile.Stream)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for i := 0; i < 5 && sc.Scan(); i++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(line), &m) != nil {
			return false
		}
		for _, k := range IntrusionEventTypes {
			if _, ok := m[k]; ok {
				return true
			}
		}
		return false
	}
	return false
}

// OpenIntrusionLogs opens a folder or zip of intrusion logs.
func OpenIntrusionLogs(ctx context.Context, p string, opts Options) (*source.Evidence, error) {
	ev, err := openTree(ctx, p, source.IntrusionLogs, opts, func(fs.FS) bool { return true })
	if err != nil {
		return nil, err
	}
	return finish(ev, finishIntrusion(ev))
}

func finishIntrusion(ev *source.Evidence) error {
	if !DetectIntrusionLogs(ev.FS) && !hasZip(ev.FS) && !DetectPhoneIntrusionExport(ev.FS) &&
		!DetectPhoneIntrusionExport(archive.StripTopDir(ev.FS)) {
		return fmt.Errorf("%s: no intrusion-log events (NDJSON lines with %s) found", ev.Path, strings.Join(IntrusionEventTypes, ", "))
	}
	ev.Kind = source.IntrusionLogs
	return nil
}

func hasZip(fsys fs.FS) bool {
	ms, _ := fs.Glob(fsys, "*.zip")
	return len(ms) > 0
}
