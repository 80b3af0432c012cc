package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
)

// Limits that keep a report of a huge or hostile timeline usable: the page
// stays loadable, and the cut is announced in the verdict.
var (
	MaxEmbeddedEvents = 2_000_000
	maxSummaryBytes   = 400
	maxLineBytes      = 1 << 20
)

// timelineLine is the part of a timeline.jsonl line the report needs (the
// Timesketch fields written by internal/timeline).
type timelineLine struct {
	Message       string `json:"message"`
	Datetime      string `json:"datetime"`
	TimestampDesc string `json:"timestamp_desc"`
	Module        string `json:"module"`
	Source        string `json:"source"`
	Severity      string `json:"severity"`
}

type dict struct {
	idx  map[string]int32
	list []string
}

func newDict() *dict { return &dict{idx: map[string]int32{}} }

func (d *dict) id(s string) int32 {
	if i, ok := d.idx[s]; ok {
		return i
	}
	i := int32(len(d.list))
	d.idx[s] = i
	d.list = append(d.list, s)
	return i
}

// readEvents streams timeline.jsonl into columns. Lines that do not parse
// are counted, not fatal: one damaged line must not hide the rest.
func readEvents(path string, info *TimelineInfo, cat *Catalogue, text func(module, desc, summary string) string) (*Events, error) {
	ev := &Events{Modules: []string{}, Descs: []string{}, Texts: []string{}, Sources: []string{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		info.Missing = true
		return ev, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mods, descs, texts, srcs := newDict(), newDict(), newDict(), newDict()
	// In another language, summaries are translated once per distinct
	// (module, summary) and event names are labelled.
	translate := cat != nil && cat.Lang != DefaultLang && text != nil
	translated := map[[2]string]string{}
	names := map[string]string{} // event identifier -> its name for the reader
	r := bufio.NewReaderSize(f, 1<<16)
	var first, last int64
	for {
		line, err := readLine(r)
		if len(line) > 0 {
			var tl timelineLine
			t, perr := time.Time{}, json.Unmarshal(line, &tl)
			if perr == nil {
				t, perr = time.Parse(time.RFC3339Nano, tl.Datetime)
			}
			if perr != nil {
				info.Skipped++
			} else {
				info.Total++
				u := t.Unix()
				if info.Total == 1 || u < first {
					first = u
				}
				if info.Total == 1 || u > last {
					last = u
				}
				if len(ev.T) < MaxEmbeddedEvents {
					ev.T = append(ev.T, u)
					ev.M = append(ev.M, mods.id(tl.Module))
					ev.S = append(ev.S, severityIndex(tl.Severity))
					desc, msg := tl.TimestampDesc, tl.Message
					if translate {
						k := [2]string{tl.Module + "\x00" + desc, tl.Message}
						tr, ok := translated[k]
						if !ok {
							tr = text(tl.Module, desc, tl.Message)
							if len(translated) < 1<<20 {
								translated[k] = tr
							}
						}
						msg = tr
					}
					// Event names are words in every language
					// ("message received", not sms_received).
					if cat != nil {
						name, ok := names[desc]
						if !ok {
							name = eventName(cat, desc)
							if len(names) < 1<<16 {
								names[desc] = name
							}
						}
						desc = name
					}
					ev.D = append(ev.D, descs.id(desc))
					ev.X = append(ev.X, texts.id(clip(msg, maxSummaryBytes)))
					ev.R = append(ev.R, srcs.id(tl.Source))
				} else {
					info.Truncated = true
				}
			}
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, errLineTooLong) {
			info.Skipped++
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	ev.Modules, ev.Descs, ev.Texts, ev.Sources = mods.list, descs.list, texts.list, srcs.list
	if cat != nil {
		for i, id := range ev.Modules {
			ev.Modules[i] = ModuleName(cat, id)
		}
	}
	info.Embedded = len(ev.T)
	ev.first, ev.last = first, last
	if info.Total > 0 {
		info.First = fmtUTC(time.Unix(first, 0))
		info.Last = fmtUTC(time.Unix(last, 0))
	}
	return ev, nil
}

// eventName is an event's name for the reader: the catalogue's words, or
// an identifier the catalogue does not know with its underscores read as
// spaces, so that it wraps between words like any label.
func eventName(cat *Catalogue, desc string) string {
	if strings.HasPrefix(desc, "finding:") {
		return cat.T("desc.finding")
	}
	if l := descLabel(cat, desc); l != "" {
		return l
	}
	return strings.ReplaceAll(desc, "_", " ")
}

var errLineTooLong = errors.New("line too long")

// readLine returns one line without its newline. A line over maxLineBytes
// is drained and reported, so memory stays bounded.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLineBytes {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if n := len(buf); n > 0 && buf[n-1] == '\n' {
			buf = buf[:n-1]
		}
		return buf, err
	}
}

// severityIndex maps a severity word to the page's 0..5 scale (0: none).
func severityIndex(s string) int8 {
	if s == "" {
		return 0
	}
	v, ok := model.ParseSeverity(s)
	if !ok {
		return 0
	}
	return int8(v) + 1
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
