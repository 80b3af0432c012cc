// Package dumpsystext parses the text Android's dumpsys and dumpstate print, as
// found in a bugreport's main file or androidqf's dumpsys.txt. The reader
// splits the text into service sections; each parser is a pure function over
// one section's text. All input is untrusted: lines and sections are capped,
// and nothing here panics on malformed text.
package dumpsystext

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits bound what the reader keeps in memory. Bugreports run to hundreds
// of megabytes; only the sections asked for are kept, each up to MaxSection.
type Limits struct {
	MaxLine    int   // bytes kept per line; the rest of a longer line is dropped
	MaxSection int64 // bytes kept per section; later lines are dropped and Truncated set
}

// DefaultLimits suit real bugreports: the package section of a phone with
// many apps is tens of megabytes, and no meaningful line is over 1 MiB.
var DefaultLimits = Limits{MaxLine: 1 << 20, MaxSection: 256 << 20}

// Section is the text of one `DUMP OF SERVICE <name>:` block, without its
// header, closing dashes and `--------- N s was the duration` trailer line.
type Section struct {
	Name      string
	Body      string
	Trailer   string // the duration line, when present
	Truncated bool   // the section or one of its lines hit a limit
}

// Dump is what the reader kept from one file.
type Dump struct {
	Services map[string]*Section
	// Properties is the body of dumpstate's `------ SYSTEM PROPERTIES` block
	// (getprop output); HasProperties says whether that block was present.
	Properties    string
	HasProperties bool
	Lines         int // lines read, for error messages and tests
}

// Service returns a section's body, and whether the section was present.
func (d *Dump) Service(name string) (string, bool) {
	s, ok := d.Services[name]
	if !ok {
		return "", false
	}
	return s.Body, true
}

const (
	servicePrefix = "DUMP OF SERVICE "
	// dumpsys closes each section with 78 or 79 dashes; shorter dash runs
	// occur inside sections (tables, androidqf's separators).
	closingDashes = "------------------------------------------------------------------------------"
	durationLine  = "--------- "
	propsPrefix   = "------ SYSTEM PROPERTIES"
)

// ErrNoSections is returned when a file has no dumpsys section at all, which
// usually means the wrong file was picked as the dumpstate.
var ErrNoSections = errors.New("no DUMP OF SERVICE section found")

// Read splits r into sections. want lists the service names to keep (nil
// keeps all). name is the file's name, used in errors. A section appearing
// twice (bugreports dump some services at several priorities) is joined.
func Read(r io.Reader, name string, want []string, lim Limits) (*Dump, error) {
	if lim.MaxLine <= 0 {
		lim.MaxLine = DefaultLimits.MaxLine
	}
	if lim.MaxSection <= 0 {
		lim.MaxSection = DefaultLimits.MaxSection
	}
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
	}
	d := &Dump{Services: map[string]*Section{}}
	br := bufio.NewReaderSize(r, 64<<10)

	var (
		cur      *Section // section being filled, nil when outside or not wanted
		inSvc    bool     // inside any service section
		buf      bytes.Buffer
		inProps  bool
		props    bytes.Buffer
		sawAny   bool
		truncCur bool
	)
	flush := func() {
		if cur != nil {
			body := strings.TrimSuffix(buf.String(), "\n")
			if prev, ok := d.Services[cur.Name]; ok {
				// A section repeated is joined, within the one section limit:
				// a dumpstate repeating a section a thousand times must not
				// keep a thousand sections' worth.
				if body != "" {
					if int64(len(prev.Body)+1+len(body)) > lim.MaxSection {
						truncCur = true
					} else {
						if prev.Body != "" {
							prev.Body += "\n"
						}
						prev.Body += body
					}
				}
				prev.Truncated = prev.Truncated || truncCur
				if prev.Trailer == "" {
					prev.Trailer = cur.Trailer
				}
			} else {
				cur.Body = body
				cur.Truncated = truncCur
				d.Services[cur.Name] = cur
			}
		}
		cur, inSvc, truncCur = nil, false, false
		buf.Reset()
	}

	for {
		line, long, err := readLine(br, lim.MaxLine)
		if err != nil && err != io.EOF {
			return d, fmt.Errorf("%s: line %d: %w", name, d.Lines+1, err)
		}
		if line == nil && err == io.EOF {
			break
		}
		d.Lines++
		trimmed := bytes.TrimSpace(line)

		if inProps {
			if string(trimmed) == "------" || bytes.HasPrefix(trimmed, []byte("------ ")) || bytes.HasPrefix(trimmed, []byte(servicePrefix)) {
				inProps = false
			} else {
				if int64(props.Len()+len(line)+1) <= lim.MaxSection {
					props.Write(line)
					props.WriteByte('\n')
				}
				if err == io.EOF {
					break
				}
				continue
			}
		}

		switch {
		case bytes.HasPrefix(trimmed, []byte(servicePrefix)):
			flush()
			inSvc, sawAny = true, true
			svc := serviceName(string(trimmed[len(servicePrefix):]))
			if len(wanted) == 0 || wanted[svc] {
				cur = &Section{Name: svc}
			}
		case bytes.HasPrefix(trimmed, []byte(closingDashes)):
			flush()
		case inSvc && bytes.HasPrefix(trimmed, []byte(durationLine)) && bytes.Contains(trimmed, []byte("was the duration of dumpsys")):
			if cur != nil {
				cur.Trailer = string(trimmed)
			}
			flush()
		case bytes.HasPrefix(trimmed, []byte(propsPrefix)):
			flush()
			inProps, d.HasProperties = true, true
		case bytes.HasPrefix(trimmed, []byte("------ ")) && bytes.HasSuffix(trimmed, []byte(" ------")):
			// A dumpstate command block (`------ TITLE (cmd) ------`) ends
			// any service section that lacked its closing line.
			flush()
		default:
			if cur != nil {
				if int64(buf.Len()+len(line)+1) > lim.MaxSection {
					truncCur = true
				} else {
					buf.Write(line)
					buf.WriteByte('\n')
					truncCur = truncCur || long
				}
			}
		}
		if err == io.EOF {
			break
		}
	}
	flush()
	d.Properties = strings.TrimSuffix(props.String(), "\n")
	if !sawAny && !d.HasProperties {
		return d, fmt.Errorf("%s: %w", name, ErrNoSections)
	}
	return d, nil
}

// serviceName drops the trailing colon and the priority word bugreports put
// before some names ("DUMP OF SERVICE CRITICAL SurfaceFlinger:").
func serviceName(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ":")
	for _, p := range []string{"CRITICAL ", "HIGH ", "NORMAL "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s = rest
			break
		}
	}
	return strings.TrimSpace(s)
}

// readLine returns one line without its end (\n or \r\n), keeping at most
// max bytes; long reports whether bytes were dropped. At the end of input it
// returns the last line with io.EOF, or nil and io.EOF when nothing is left.
func readLine(br *bufio.Reader, max int) (line []byte, long bool, err error) {
	for {
		chunk, e := br.ReadSlice('\n')
		if room := max - len(line); room > 0 {
			if len(chunk) > room {
				line = append(line, chunk[:room]...)
				long = true
			} else {
				line = append(line, chunk...)
			}
		} else if len(chunk) > 0 {
			long = true
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e == io.EOF && len(line) == 0 && !long {
			return nil, false, io.EOF
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if line == nil {
			line = []byte{}
		}
		return line, long, e
	}
}

// Lines splits a section body into lines; a helper the parsers share.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// indent counts leading spaces (tabs count as one).
func indent(s string) int {
	n := 0
	for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		n++
	}
	return n
}
