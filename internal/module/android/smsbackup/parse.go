package smsbackup

import (
	"bufio"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/androidab"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
	"github.com/huella-project/huella/internal/urlx"
)

// maxDecompressed bounds one backup file once inflated: a zlib bomb stops
// here, and a real phone's messages fit in far less.
const maxDecompressed = 512 << 20

const maxMessages = 5_000_000

// Message is one SMS or MMS.
type Message struct {
	Kind       string            `json:"kind"` // "sms" or "mms"
	Address    string            `json:"address,omitempty"`
	Body       string            `json:"body,omitempty"`
	Date       time.Time         `json:"date,omitzero"`
	DateSent   time.Time         `json:"date_sent,omitzero"`
	Direction  string            `json:"direction"` // received, sent, draft, outbox, failed, queued, unknown
	Read       bool              `json:"read"`
	Recipients []string          `json:"recipients,omitempty"`
	Addresses  []string          `json:"mms_addresses,omitempty"`
	Links      []string          `json:"links,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"` // the other scalar keys, as stored
	dateErr    error             // date is no plausible date: the record keeps the raw value
}

func run(ctx context.Context, env *module.Env) error {
	// SMS before MMS, each in name order, so output order is stable; an
	// unpacked .ab is then put back in tar order, which is MVT's order.
	files := append(env.Find(dir+"*_sms_backup"), env.Find(dir+"*_mms_backup")...)
	if len(files) == 0 {
		return module.Absent("apps/com.android.providers.telephony/d_f/*_sms_backup")
	}
	files = ArchiveOrder(env.Evidence.FS, files)
	for _, name := range files {
		kind := "sms"
		if strings.HasSuffix(name, "_mms_backup") {
			kind = "mms"
		}
		f, err := env.Open(name, evfile.Stream)
		if err != nil {
			env.Warn("%s: %v", name, err)
			continue
		}
		n, err := Read(f, kind, func(m *Message) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			env.Emit(record(name, m))
			return nil
		})
		f.Close()
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			env.Warn("%s: read %d messages, then: %v", name, n, err)
		}
	}
	return nil
}

// ArchiveOrder sorts files by their position in the archive fsys was
// unpacked from. Order is left alone unless every file has a position, so a
// folder (where MVT reads SMS before MMS) keeps the order it came in.
func ArchiveOrder(fsys fs.FS, files []string) []string {
	ix, ok := fsys.(androidab.EntryIndexer)
	if !ok {
		return files
	}
	pos := make(map[string]int, len(files))
	for _, f := range files {
		i, ok := ix.EntryIndex(f)
		if !ok {
			return files
		}
		pos[f] = i
	}
	out := slices.Clone(files)
	slices.SortStableFunc(out, func(a, b string) int { return pos[a] - pos[b] })
	return out
}

func record(src string, m *Message) *model.Record {
	who := m.Address
	if who == "" && len(m.Addresses) > 0 {
		who = m.Addresses[0]
	}
	body := m.Body
	if r := []rune(body); len(r) > 120 {
		body = string(r[:120]) + "…"
	}
	r := &model.Record{Source: src, Summary: fmt.Sprintf("%s %s %s: %q", strings.ToUpper(m.Kind), m.Direction, who, body), Data: m}
	r.StampChecked(m.Date, m.dateErr, m.Kind+"_"+m.Direction)
	for _, l := range m.Links {
		r.Add(model.KindURL, l, "links")
	}
	return r
}

// Read inflates one backup file and calls fn for each message.
func Read(r io.Reader, kind string, fn func(*Message) error) (int, error) {
	zr, err := zlib.NewReader(r)
	if err != nil {
		return 0, fmt.Errorf("not zlib-compressed: %w", err)
	}
	defer zr.Close()
	lr := &io.LimitedReader{R: zr, N: maxDecompressed}
	dec := json.NewDecoder(bufio.NewReader(lr))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return 0, fmt.Errorf("not a JSON list of messages")
	}
	n := 0
	for dec.More() {
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if lr.N <= 0 {
				return n, fmt.Errorf("more than %d bytes once decompressed; stopped", maxDecompressed)
			}
			return n, fmt.Errorf("message %d: %w", n+1, err)
		}
		if n++; n > maxMessages {
			return n, fmt.Errorf("more than %d messages; stopped", maxMessages)
		}
		if err := fn(parse(kind, raw)); err != nil {
			return n, err
		}
	}
	// More stops on a read error too; only the closing bracket means done.
	if _, err := dec.Token(); err != nil {
		return n, fmt.Errorf("list cut after %d messages: %w", n, err)
	}
	return n, nil
}

var smsBox = map[string]string{"1": "received", "2": "sent", "3": "draft", "4": "outbox", "5": "failed", "6": "queued"}

var mmsBox = map[string]string{"1": "received", "2": "sent", "3": "draft", "4": "outbox"}

func parse(kind string, raw map[string]json.RawMessage) *Message {
	m := &Message{Kind: kind, Fields: map[string]string{}}
	for k, v := range raw {
		switch k {
		case "recipients":
			_ = json.Unmarshal(v, &m.Recipients)
		case "mms_addresses":
			var as []map[string]json.RawMessage
			_ = json.Unmarshal(v, &as)
			for _, a := range as {
				if s := scalar(a["address"]); s != "" {
					m.Addresses = append(m.Addresses, s)
				}
			}
		default:
			if s := scalar(v); s != "" {
				m.Fields[k] = s
			}
		}
	}
	take := func(k string) string { v := m.Fields[k]; delete(m.Fields, k); return v }
	m.Address = take("address")
	m.Body = take("body")
	if b := take("mms_body"); m.Body == "" {
		m.Body = b
	}
	m.Date, m.dateErr = epoch(take("date"))
	m.DateSent, _ = epoch(take("date_sent"))
	m.Read = take("read") == "1"
	box := smsBox[take("type")]
	if kind == "mms" {
		box = mmsBox[take("msg_box")]
	}
	if box == "" {
		box = "unknown"
	}
	m.Direction = box
	m.Links = urlx.ExtractLinks(m.Body)
	if len(m.Fields) == 0 {
		m.Fields = nil
	}
	return m
}

func scalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	return ""
}

// epoch reads a Unix time the telephony provider stored in milliseconds
// (SMS) or seconds (MMS); the magnitude tells which (timestamp.UnixInt), so a
// mislabelled column cannot put a message in 1970. A value that is no date
// between 1970 and 2100 comes back as an error keeping it.
func epoch(s string) (time.Time, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return time.Time{}, nil
	}
	return timestamp.UnixInt(v)
}
