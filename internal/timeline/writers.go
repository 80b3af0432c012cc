package timeline

import (
	"bufio"
	"encoding/csv"
	"io"
	"time"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
)

// CSVHeader is the first line of timeline.csv.
var CSVHeader = []string{"datetime_utc", "datetime_local", "module", "event", "summary", "source", "severity"}

type csvWriter struct {
	bw     *bufio.Writer
	cw     *csv.Writer
	loc    *time.Location
	row    []string
	header bool
}

func newCSVWriter(w io.Writer, loc *time.Location) *csvWriter {
	bw := bufio.NewWriterSize(w, 1<<16)
	return &csvWriter{bw: bw, cw: csv.NewWriter(bw), loc: loc, row: make([]string, len(CSVHeader))}
}

func (c *csvWriter) write(evs []model.Event) error {
	if !c.header {
		c.header = true
		if err := c.cw.Write(CSVHeader); err != nil {
			return err
		}
	}
	for i := range evs {
		e := &evs[i]
		c.row[0] = e.Time.UTC().Format(time.RFC3339Nano)
		c.row[1] = localTime(e.Time, c.loc)
		c.row[2], c.row[3], c.row[4], c.row[5] = e.Module, e.Desc, csvSafe(e.Summary), csvSafe(e.Source)
		c.row[6] = ""
		if e.Severity != nil {
			c.row[6] = e.Severity.String()
		}
		if err := c.cw.Write(c.row); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvWriter) flush() error {
	if !c.header {
		c.header = true
		if err := c.cw.Write(CSVHeader); err != nil {
			return err
		}
	}
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// csvSafe defuses spreadsheet formula injection: evidence text such as an
// SMS starting with "=" would otherwise run as a formula when an analyst
// opens the CSV.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func localTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		return ""
	}
	return t.In(loc).Format(time.RFC3339Nano)
}

// jsonlWriter writes one Timesketch line per event: message, datetime and
// timestamp_desc are the fields Timesketch requires; module, source,
// severity and datetime_local become attributes. Encoded by hand: this is
// the largest file huella writes, and reflection cost a fifth of a run.
type jsonlWriter struct {
	bw  *bufio.Writer
	loc *time.Location
	b   []byte
}

func newJSONLWriter(w io.Writer, loc *time.Location) *jsonlWriter {
	return &jsonlWriter{bw: bufio.NewWriterSize(w, 1<<16), loc: loc}
}

func (j *jsonlWriter) write(evs []model.Event) error {
	for i := range evs {
		e := &evs[i]
		b := j.b[:0]
		b = append(b, `{"message":`...)
		b = appendJSONString(b, e.Summary)
		b = append(b, `,"datetime":"`...)
		b = e.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","timestamp_desc":`...)
		b = appendJSONString(b, e.Desc)
		b = append(b, `,"module":`...)
		b = appendJSONString(b, e.Module)
		if e.Source != "" {
			b = append(b, `,"source":`...)
			b = appendJSONString(b, e.Source)
		}
		if e.Severity != nil {
			b = append(b, `,"severity":"`...)
			b = append(b, e.Severity.String()...)
			b = append(b, '"')
		}
		if j.loc != nil {
			b = append(b, `,"datetime_local":"`...)
			b = e.Time.In(j.loc).AppendFormat(b, time.RFC3339Nano)
			b = append(b, '"')
		}
		b = append(b, "}\n"...)
		j.b = b
		if _, err := j.bw.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonlWriter) flush() error { return j.bw.Flush() }

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string: control characters escaped,
// invalid UTF-8 replaced, and U+2028/U+2029 escaped so the line is also safe
// to embed in JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
