package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/huella-project/huella/internal/jsonx"
	"github.com/huella-project/huella/internal/model"
)

// maxTimelineLine bounds one line of timeline.jsonl read back: huella
// writes far shorter ones, a damaged file cannot make a reader hold more.
const maxTimelineLine = 1 << 20

// ReadTimeline streams the events of a saved timeline.jsonl to fn, in file
// (time) order. Only what the file keeps comes back: time, module, event
// name, summary, source. Lines that do not parse are counted in skipped.
func ReadTimeline(path string, fn func(model.Event) error) (skipped int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	for {
		line, err := TimelineLine(r)
		if len(line) > 0 {
			var l struct {
				Message       string `json:"message"`
				Datetime      string `json:"datetime"`
				TimestampDesc string `json:"timestamp_desc"`
				Module        string `json:"module"`
				Source        string `json:"source"`
			}
			if json.Unmarshal(line, &l) != nil {
				skipped++
			} else if t, perr := time.Parse(time.RFC3339Nano, l.Datetime); perr != nil {
				skipped++
			} else if ferr := fn(model.Event{Time: t.UTC(), Module: l.Module, Desc: l.TimestampDesc, Summary: l.Message, Source: l.Source}); ferr != nil {
				return skipped, ferr
			}
		}
		switch {
		case err == io.EOF:
			return skipped, nil
		case errors.Is(err, ErrLineTooLong):
			skipped++
		case err != nil:
			return skipped, fmt.Errorf("%s: %w", path, err)
		}
	}
}

// ErrLineTooLong is TimelineLine's answer for a line over the bound: it
// was drained, not held, and the lines after it can still be read.
var ErrLineTooLong = errors.New("line too long")

// TimelineLine returns the next line of a timeline.jsonl without its
// newline; io.EOF at the end. ReadTimeline and the report's timeline read
// the file through it.
func TimelineLine(r *bufio.Reader) ([]byte, error) {
	buf, long, err := jsonx.NextLine(r, maxTimelineLine)
	if long {
		return nil, ErrLineTooLong
	}
	if n := len(buf); n > 0 && buf[n-1] == '\n' {
		buf = buf[:n-1]
	}
	return buf, err
}
