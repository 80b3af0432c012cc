package tombstone

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

const textCrash = `*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***
Build fingerprint: 'Redmi/rosemary/rosemary:12/SP1A/V13:user/release-keys'
Revision: '0'
ABI: 'arm'
Timestamp: 2023-04-12 12:32:40.518290770+0200
Process uptime: 40s
Cmdline: /vendor/bin/hw/android.hardware.media.c2@1.2-mediatek
pid: 25541, tid: 21307, name: mtk.ape.decoder  >>> /vendor/bin/hw/android.hardware.media.c2@1.2-mediatek <<<
uid: 1046
signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr --------
Abort message: 'Check failed: x <= y '
backtrace:
      #00 pc 0004bd80  /apex/libc.so
pid: 25541, tid: 31896, name: worker-thread  >>> /vendor/bin/other <<<
`

// protoCrash encodes the same crash as the protobuf form.
func protoCrash(abort string) []byte {
	var b []byte
	str := func(n protowire.Number, s string) {
		b = protowire.AppendTag(b, n, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	vint := func(n protowire.Number, v uint64) {
		b = protowire.AppendTag(b, n, protowire.VarintType)
		b = protowire.AppendVarint(b, v)
	}
	str(fBuildFingerprint, "Redmi/rosemary/rosemary:12/SP1A/V13:user/release-keys")
	str(fTimestamp, "2023-04-12 12:32:40.518290770+0200")
	vint(fPID, 25541)
	vint(fTID, 21307)
	vint(fUID, 1046)
	str(fCommandLine, "/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek")
	var sig []byte
	sig = protowire.AppendTag(sig, fSignalNumber, protowire.VarintType)
	sig = protowire.AppendVarint(sig, 11)
	sig = protowire.AppendTag(sig, fSignalName, protowire.BytesType)
	sig = protowire.AppendString(sig, "SIGSEGV")
	b = protowire.AppendTag(b, fSignalInfo, protowire.BytesType)
	b = protowire.AppendBytes(b, sig)
	if abort != "" {
		str(fAbortMessage, abort)
	}
	var cause []byte
	cause = protowire.AppendTag(cause, fCauseHuman, protowire.BytesType)
	cause = protowire.AppendString(cause, "null pointer dereference")
	b = protowire.AppendTag(b, fCauses, protowire.BytesType)
	b = protowire.AppendBytes(b, cause)
	for _, th := range []struct {
		id   uint64
		name string
	}{{21307, "mtk.ape.decoder"}, {25541, "main"}} {
		var t, e []byte
		t = protowire.AppendTag(t, fThreadID, protowire.VarintType)
		t = protowire.AppendVarint(t, th.id)
		t = protowire.AppendTag(t, fThreadName, protowire.BytesType)
		t = protowire.AppendString(t, th.name)
		e = protowire.AppendTag(e, 1, protowire.VarintType)
		e = protowire.AppendVarint(e, th.id)
		e = protowire.AppendTag(e, 2, protowire.BytesType)
		e = protowire.AppendBytes(e, t)
		b = protowire.AppendTag(b, fThreads, protowire.BytesType)
		b = protowire.AppendBytes(b, e)
	}
	return b
}

func check(t *testing.T, tb *Tombstone) {
	t.Helper()
	if tb.PID != 25541 || tb.TID != 21307 || tb.UID != 1046 || tb.ProcessName != "mtk.ape.decoder" ||
		tb.WallClock != "2023-04-12 12:32:40.518290" || tb.Timestamp.UTC().Hour() != 10 ||
		len(tb.CommandLine) != 1 || tb.CommandLine[0] != "/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek" ||
		tb.Executable() != "android.hardware.media.c2@1.2-mediatek" || tb.Signal.Name != "SIGSEGV" {
		t.Errorf("%+v", tb)
	}
}

func TestParseTextFirstPidWins(t *testing.T) {
	tb, err := ParseText("tombstone_00", strings.NewReader(textCrash))
	if err != nil {
		t.Fatal(err)
	}
	check(t, tb)
	if tb.BinaryPath != "/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek" || tb.AbortMessage != "Check failed: x <= y " || tb.ProcessUptime != 40 {
		t.Errorf("%+v", tb)
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []string{"", "hello\n", "*** *** ***\nBuild fingerprint: 'x'\n", strings.Repeat("a", 2<<20)}
	for _, in := range tests {
		if _, err := ParseText("bad_tombstone", strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "bad_tombstone") {
			t.Errorf("%.20q: want error naming the file, got %v", in, err)
		}
	}
}

func TestParseProto(t *testing.T) {
	tests := []struct{ name, abort string }{{"no abort", ""}, {"abort", "synthetic abort reason"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := ParseProto("tombstone_00.pb", protoCrash(tc.abort))
			if err != nil {
				t.Fatal(err)
			}
			check(t, tb)
			if tb.AbortMessage != tc.abort || len(tb.Causes) != 1 || tb.Causes[0] != "null pointer dereference" || tb.Arch != "arm" {
				t.Errorf("%+v", tb)
			}
		})
	}
	for _, bad := range [][]byte{{0xff}, {0x0a, 0x05, 'a'}, {0x0b}} {
		if _, err := ParseProto("bad.pb", bad); err == nil || !strings.Contains(err.Error(), "bad.pb") {
			t.Errorf("%x: want error naming the file, got %v", bad, err)
		}
	}
}

func TestPair(t *testing.T) {
	txt, _ := ParseText("tombstone_00", strings.NewReader(textCrash))
	pb, _ := ParseProto("tombstone_00.pb", protoCrash(""))
	other, _ := ParseText("tombstone_01", strings.NewReader(strings.Replace(textCrash, "pid: 25541", "pid: 1", 1)))
	got := Pair([]*Tombstone{txt, pb, other})
	if len(got) != 2 || len(got[0].Files) != 2 || len(got[0].Formats) != 2 || got[1].PID != 1 {
		t.Errorf("%+v", got)
	}
}

func FuzzParseText(f *testing.F) {
	f.Add(textCrash)
	f.Add("*** *** ***\npid: 1, tid: 2, name: x  >>> y <<<\nTimestamp: 2023-99-99\n")
	f.Fuzz(func(t *testing.T, s string) {
		tb, err := ParseText("fuzz", strings.NewReader(s))
		if err == nil && tb == nil {
			t.Fatal("nil tombstone without error")
		}
	})
}

func FuzzParseProto(f *testing.F) {
	f.Add(protoCrash("x"))
	f.Add([]byte{0x82, 0x01, 0x02, 0x12, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := ParseProto("fuzz.pb", b)
		if err == nil && tb == nil {
			t.Fatal("nil tombstone without error")
		}
	})
}
