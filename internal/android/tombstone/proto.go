package tombstone

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of AOSP's Tombstone message
// (platform/system/core debuggerd/proto/tombstone.proto, Apache-2.0). The
// message is decoded field by field with protowire so that unknown or
// vendor-added fields are skipped and no generated code is needed.
const (
	fArch             = 1
	fBuildFingerprint = 2
	fRevision         = 3
	fTimestamp        = 4
	fPID              = 5
	fTID              = 6
	fUID              = 7
	fSELinuxLabel     = 8
	fCommandLine      = 9
	fSignalInfo       = 10
	fAbortMessage     = 14
	fCauses           = 15
	fThreads          = 16 // map<uint32, Thread>
	fProcessUptime    = 20

	fSignalNumber   = 1
	fSignalName     = 2
	fSignalCode     = 3
	fSignalCodeName = 4

	fCauseHuman = 1

	fThreadID   = 1
	fThreadName = 2

	maxRepeated = 4096 // command-line words, causes
)

var archNames = []string{"arm", "arm64", "x86", "x86_64", "riscv64", "none"}

// ErrMalformed reports bytes that are not a valid Tombstone message.
var ErrMalformed = errors.New("malformed tombstone protobuf")

// ParseProto decodes a protobuf tombstone. name is the file's name.
// process_name is the name of the thread whose id is the crashing tid, as
// the text form prints it; "Unknown" when that thread is missing.
func ParseProto(name string, b []byte) (*Tombstone, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%s: %w: %d bytes exceeds the %d limit", name, ErrMalformed, len(b), MaxSize)
	}
	// proto3 omits zero values, and ARM32 is zero.
	t := &Tombstone{File: name, Formats: []string{"protobuf"}, Arch: archNames[0]}
	threads := map[int64]string{}
	var sawPID bool
	var ts string
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		switch num {
		case fArch:
			if n < uint64(len(archNames)) {
				t.Arch = archNames[n]
			}
		case fBuildFingerprint:
			t.BuildFingerprint = string(v)
		case fRevision:
			t.Revision = string(v)
		case fTimestamp:
			ts = string(v)
		case fPID:
			t.PID, sawPID = int64(uint32(n)), true
		case fTID:
			t.TID = int64(uint32(n))
		case fUID:
			t.UID = int64(uint32(n))
		case fSELinuxLabel:
			t.SELinuxLabel = strings.TrimRight(string(v), "\x00")
		case fCommandLine:
			if len(t.CommandLine) < maxRepeated && typ == protowire.BytesType {
				t.CommandLine = append(t.CommandLine, string(v))
			}
		case fProcessUptime:
			t.ProcessUptime = int64(uint32(n))
		case fAbortMessage:
			t.AbortMessage = string(v)
		case fSignalInfo:
			if typ == protowire.BytesType {
				return parseSignal(v, &t.Signal)
			}
		case fCauses:
			if typ == protowire.BytesType && len(t.Causes) < maxRepeated {
				return eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
					if num == fCauseHuman && typ == protowire.BytesType {
						t.Causes = append(t.Causes, string(v))
					}
					return nil
				})
			}
		case fThreads:
			if typ == protowire.BytesType && len(threads) < maxRepeated {
				return parseThreadEntry(v, threads)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !sawPID && t.BuildFingerprint == "" && ts == "" {
		return nil, fmt.Errorf("%s: %w: no pid, fingerprint or timestamp", name, ErrMalformed)
	}
	if ts != "" {
		t.Timestamp, t.WallClock, t.timeErr = parseTime(ts)
	}
	if len(t.Causes) > 0 {
		t.Cause = t.Causes[0]
	}
	t.ProcessName = "Unknown"
	if n, ok := threads[t.TID]; ok {
		t.ProcessName = n
	}
	if len(t.CommandLine) > 0 {
		t.BinaryPath = t.CommandLine[0]
	}
	return t, nil
}

func parseSignal(b []byte, s *Signal) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		switch num {
		case fSignalNumber:
			s.Number = int64(int32(n))
		case fSignalName:
			s.Name = string(v)
		case fSignalCode:
			s.Code = int64(int32(n))
		case fSignalCodeName:
			s.CodeName = string(v)
		}
		return nil
	})
}

// parseThreadEntry reads one map entry (key = tid, value = Thread) and keeps
// the thread's name.
func parseThreadEntry(b []byte, threads map[int64]string) error {
	var key int64
	var th []byte
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			key = int64(uint32(n))
		case num == 2 && typ == protowire.BytesType:
			th = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	id, name := key, ""
	err = eachField(th, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		switch {
		case num == fThreadID && typ == protowire.VarintType:
			id = int64(int32(n))
		case num == fThreadName && typ == protowire.BytesType:
			name = string(v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	threads[id] = name
	return nil
}

// eachField walks one message level. v holds the bytes of length-delimited
// fields, n the value of varint and fixed fields. Groups are refused (the
// schema has none), which also bounds recursion.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error) error {
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return fmt.Errorf("%w: %v", ErrMalformed, protowire.ParseError(l))
		}
		b = b[l:]
		var v []byte
		var n uint64
		switch typ {
		case protowire.VarintType:
			n, l = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x uint32
			x, l = protowire.ConsumeFixed32(b)
			n = uint64(x)
		case protowire.Fixed64Type:
			n, l = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, l = protowire.ConsumeBytes(b)
		default:
			return fmt.Errorf("%w: field %d has unsupported wire type %d", ErrMalformed, num, typ)
		}
		if l < 0 {
			return fmt.Errorf("%w: field %d: %v", ErrMalformed, num, protowire.ParseError(l))
		}
		b = b[l:]
		if err := fn(num, typ, v, n); err != nil {
			return err
		}
	}
	return nil
}
