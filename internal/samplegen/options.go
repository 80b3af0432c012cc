// Package samplegen writes deterministic synthetic phone evidence (an iOS
// backup, plain or encrypted, and an androidqf folder) at any scale, with
// optional planted traces and the detections a check must then produce. The
// demo command and the benchmarks both use it, so what is demonstrated is
// what is measured. Every name, number and domain in it is made up.
package samplegen

import (
	"encoding/json"
	"os"
	"time"
)

// Options size and shape one generated corpus. The same Seed and counts
// always give the same plain evidence byte for byte.
type Options struct {
	Seed      int64
	Messages  int // sms.db messages (WhatsApp gets a tenth as many)
	Visits    int // Safari history visits
	Processes int // DataUsage processes (two live-usage rows each)
	TCC       int // TCC.db access rows
	Files     int // filler Manifest.db records (or files.json entries on Android)
	Encrypt   bool
	Password  string // default "huella-demo" when Encrypt is set
	// DPIC is the PBKDF2-SHA256 round count of an encrypted backup's keybag;
	// 0 means a small count fit for tests. Real backups use 10,000,000.
	DPIC int
	// Plant adds the traces a check must find; Expected lists them.
	Plant bool
}

// Scaled returns options for a corpus of about n messages and n visits,
// with the other tables in proportion to what a heavy real phone holds.
func Scaled(n int, seed int64) Options {
	return Options{Seed: seed, Messages: n, Visits: n, Processes: max(n/10, 20), TCC: max(n/100, 10), Files: max(n/5, 50)}
}

// Expected is what a check of the generated evidence must report.
type Expected struct {
	Kind       string              `json:"kind"` // evidence kind: ios_backup, androidqf
	Seed       int64               `json:"seed"`
	Records    map[string]int      `json:"records"` // rows written per artifact
	Password   string              `json:"password,omitempty"`
	Detections []ExpectedDetection `json:"detections"`
	// Evidence is the file or folder to check, for samples that are not
	// the folder they were written into (the phone exports).
	Evidence string `json:"evidence,omitempty"`
}

// ExpectedDetection names one detection by module, rule and the value it
// must carry (an observable value for indicator matches, a word of the
// reason for correlations).
type ExpectedDetection struct {
	Module string `json:"module"`
	Rule   string `json:"rule"`
	Value  string `json:"value"`
	Why    string `json:"why"`
}

// WriteJSON saves e (as expected.json beside a corpus).
func (e *Expected) WriteJSON(p string) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(b, '\n'), 0o644)
}

// Planted values. The domain uses the reserved .example top-level domain
// (RFC 2606), so it can never be anyone's real site.
const (
	PlantedDomain    = "track-delivery.demospy.example"
	PlantedURL       = "https://" + PlantedDomain + "/p/7Hq2xK"
	PlantedProcess   = "bh"
	PlantedTCCClient = "Launch"
	PlantedSender    = "+52 55 9000 0001"
	PlantedPackage   = "com.demospy.updater"
	PlantedCampaign  = "DemoSpy (synthetic)"
	PlantedAPKSHA256 = "5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e"
)

// PlantTime is when the planted lure arrives; filler keeps ten minutes
// clear around it so the correlation names the planted process.
var PlantTime = time.Date(2024, 2, 20, 3, 14, 0, 0, time.UTC)

// corpus span: filler events fall between these.
var (
	spanStart = time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	spanEnd   = time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC)
	quietFrom = PlantTime.Add(-10 * time.Minute)
	quietTo   = PlantTime.Add(10 * time.Minute)
)
