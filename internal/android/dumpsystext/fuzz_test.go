package dumpsystext

import (
	"strings"
	"testing"
)

func FuzzRead(f *testing.F) {
	f.Add(bugreport([2]string{"package", "Packages:\n" + packageBlock("a.b", true)}))
	f.Add("DUMP OF SERVICE adb:\n{\n  user_keys=QAAAAA== u@h\n}\n")
	f.Add("------ SYSTEM PROPERTIES\n[a]: [b\n")
	f.Add("DUMP OF SERVICE a:\n" + strings.Repeat("x", 3000) + "\nDUMP OF SERVICE a:\n" + strings.Repeat("y", 3000) + "\n")
	lim := Limits{MaxLine: 512, MaxSection: 4096}
	f.Fuzz(func(t *testing.T, s string) {
		d, _ := Read(strings.NewReader(s), "fuzz", nil, lim)
		if d == nil {
			return
		}
		// What the reader exists to enforce: no section (repeated ones
		// joined) and no properties block over MaxSection, no line kept
		// over MaxLine.
		if int64(len(d.Properties)) > lim.MaxSection {
			t.Fatalf("properties over the limit: %d", len(d.Properties))
		}
		for _, sec := range d.Services {
			if int64(len(sec.Body)) > lim.MaxSection {
				t.Fatalf("section %q over the limit: %d", sec.Name, len(sec.Body))
			}
			for _, l := range strings.Split(sec.Body, "\n") {
				if len(l) > lim.MaxLine {
					t.Fatalf("line of %d bytes kept", len(l))
				}
			}
			ParseAccessibility(sec.Body)
			ParseAppops(sec.Body)
			ParseBatteryDaily(sec.Body)
			ParseBatteryHistory(sec.Body)
			ParseDBInfo(sec.Body)
			ParseActivities(sec.Body)
			ParseReceivers(sec.Body)
			ParsePlatformCompat(sec.Body)
			ParseDeviceAdmins(sec.Body)
		}
		ParseGetprop(d.Properties)
	})
}

func FuzzPackages(f *testing.F) {
	f.Add("Packages:\n" + packageBlock("a.b", true) + "\n" + packageBlock("c.d", false))
	f.Add("Packages:\n  Package [x\n    User 0: firstInstallTime=\n      runtime permissions:\n")
	f.Fuzz(func(t *testing.T, s string) {
		res := ParsePackages(s)
		if len(res.Packages) > res.Blocks {
			t.Fatalf("%d packages from %d blocks", len(res.Packages), res.Blocks)
		}
	})
}

func FuzzADB(f *testing.F) {
	f.Add([]byte("{\n  debugging_manager={\n    user_keys=QAAAAAcgbytJst31DsaSP7hn8QcBXKR9NPVPK9MZssFVSNIP user@laptop\n\n    keystore=<keyStore><adbKey key=\"QAAAAA== a@b\" lastConnection=\"1\" /></keyStore>\n  }\n}\n"))
	f.Add([]byte("keystore=ABX\x00\x10QAAAA" + strings.Repeat("A", 120) + "= u@h\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, k := range ParseADB(b) {
			if k.Valid && len(k.Fingerprint) != 47 {
				t.Fatalf("bad fingerprint %q", k.Fingerprint)
			}
		}
		ParseADBKeysFile(b)
	})
}
