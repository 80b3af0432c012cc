package samplegen

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// GenerateAndroidQF writes an androidqf acquisition folder into dir:
// packages.json with o.Processes packages, files.json with o.Files entries
// (one JSON object per line, as recent androidqf writes it) and
// getprop.txt. Plant adds a sideloaded package and a file staged in
// /data/local/tmp whose hashes are in the sample indicators.
func GenerateAndroidQF(dir string, o Options) (*Expected, error) {
	if err := emptyDir(dir); err != nil {
		return nil, err
	}
	g := newGen(o.Seed, 8)
	exp := &Expected{Kind: "androidqf", Seed: o.Seed, Records: map[string]int{}}
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

	type pkgFile struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
	}
	type pkg struct {
		Name       string    `json:"name"`
		Files      []pkgFile `json:"files"`
		Installer  string    `json:"installer"`
		UID        int       `json:"uid"`
		Disabled   bool      `json:"disabled"`
		System     bool      `json:"system"`
		ThirdParty bool      `json:"third_party"`
	}
	pkgs := make([]pkg, 0, o.Processes+1)
	for i := range o.Processes {
		name := fmt.Sprintf("com.synthetic.app%d", i)
		pkgs = append(pkgs, pkg{Name: name, Installer: "com.android.vending", UID: 10100 + i, ThirdParty: true,
			Files: []pkgFile{{Path: "/data/app/~~" + name + "/base.apk", SHA256: hash(name)}}})
	}
	if o.Plant {
		pkgs = append(pkgs, pkg{Name: PlantedPackage, Installer: "com.android.vending", UID: 10099, ThirdParty: true,
			Files: []pkgFile{{Path: "/data/app/~~" + PlantedPackage + "/base.apk", SHA256: PlantedAPKSHA256}}})
	}
	b, err := json.Marshal(pkgs)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "packages.json"), b, 0o644); err != nil {
		return nil, err
	}
	exp.Records["packages"] = len(pkgs)

	f, err := os.Create(filepath.Join(dir, "files.json"))
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	type file struct {
		Path         string `json:"path"`
		Size         int64  `json:"size"`
		Mode         string `json:"mode"`
		UserID       int    `json:"user_id"`
		GroupID      int    `json:"group_id"`
		ModifiedTime int64  `json:"modified_time"`
		ChangedTime  int64  `json:"changed_time"`
		SHA256       string `json:"sha256,omitempty"`
	}
	for i := range o.Files {
		p := fmt.Sprintf("/sdcard/DCIM/Camera/IMG_%06d.jpg", i)
		if i%3 == 0 {
			p = fmt.Sprintf("/data/data/com.synthetic.app%d/cache/%s-%d", i%max(o.Processes, 1), g.pick(pathWords), i)
		}
		t := g.time().Unix()
		if err := enc.Encode(file{Path: p, Size: int64(1024 + g.r.IntN(1<<20)), Mode: "-rw-rw----", UserID: 10100, GroupID: 1078,
			ModifiedTime: t, ChangedTime: t, SHA256: hash(p)}); err != nil {
			return nil, err
		}
	}
	n := o.Files
	if o.Plant {
		t := PlantTime.Unix()
		if err := enc.Encode(file{Path: "/data/local/tmp/" + PlantedProcess, Size: 412672, Mode: "-rwxr-xr-x", UserID: 2000, GroupID: 2000,
			ModifiedTime: t, ChangedTime: t, SHA256: PlantedAPKSHA256}); err != nil {
			return nil, err
		}
		n++
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return nil, err
	}
	exp.Records["files"] = n

	props := fmt.Sprintf("[ro.product.model]: [Synthetic Phone]\n[ro.product.brand]: [synthetic]\n[ro.build.version.release]: [14]\n"+
		"[ro.build.version.sdk]: [34]\n[ro.build.version.security_patch]: [2024-02-05]\n[ro.serialno]: [SYNTH%08d]\n", o.Seed)
	if err := os.WriteFile(filepath.Join(dir, "getprop.txt"), []byte(props), 0o644); err != nil {
		return nil, err
	}
	exp.Records["getprop"] = 6
	// The acquisition date anchors the security-patch age; without it the
	// corpus would age into a finding as the calendar moves.
	acq := fmt.Sprintf(`{"uuid": "00000000-0000-4000-8000-%012d", "androidqf_version": "v1.7.0", "started": "%s", "completed": "%s", "serial": "SYNTH%08d", "model": "Synthetic Phone"}`+"\n",
		o.Seed, spanEnd.Format(time.RFC3339), spanEnd.Add(3*time.Minute).Format(time.RFC3339), o.Seed)
	if err := os.WriteFile(filepath.Join(dir, "acquisition.json"), []byte(acq), 0o644); err != nil {
		return nil, err
	}
	if o.Plant {
		exp.Detections = []ExpectedDetection{
			{"android.aqf_packages", "indicator.feed.match", PlantedPackage, "the planted package id is in the sample indicators"},
			{"android.aqf_files", "indicator.feed.match", PlantedAPKSHA256, "a file staged in /data/local/tmp has the planted SHA-256"},
		}
	}
	return exp, nil
}
