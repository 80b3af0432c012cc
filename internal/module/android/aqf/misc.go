package aqf

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// LogFile is a collected log file and its modification time.
type LogFile struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

func runLogTimestamps(ctx context.Context, env *module.Env) error {
	files := env.Find("logs/**")
	if len(files) == 0 {
		return module.Absent("logs/")
	}
	for _, name := range files {
		fi, err := fs.Stat(env.Evidence.FS, name)
		if err != nil {
			env.Warn("%s: %v", name, err)
			continue
		}
		r := &model.Record{Source: name, Summary: "Log file " + name, Data: LogFile{Path: name, Size: fi.Size()}}
		r.Stamp(fi.ModTime(), "file_modified")
		env.Emit(r)
	}
	return nil
}

// RootBinaryRecord is one entry of root_binaries.json.
type RootBinaryRecord struct {
	Path        string `json:"path"`
	BinaryName  string `json:"binary_name"`
	Description string `json:"description"`
}

func runRootBinaries(ctx context.Context, env *module.Env) error {
	paths, name, err := readList(env, "root_binaries.json", "paths")
	if err != nil {
		return err
	}
	n := 0
	for _, p := range paths {
		if strings.TrimSpace(p) == "" {
			continue
		}
		n++
		rb := RootBinaryRecord{Path: p, BinaryName: strings.ToLower(path.Base(p)), Description: android.RootBinaryDescription(p)}
		r := &model.Record{Source: name, Summary: fmt.Sprintf("Root binary %s (%s)", p, rb.Description), Data: rb}
		r.Add(model.KindFilePath, p, "path")
		env.Emit(r)
		detect(env, android.RootBinary(p), r)
	}
	if n > 0 {
		env.Warn("device shows signs of rooting with %d root binaries found", n)
	}
	return nil
}

// Mount is one line of mounts.json ("dev on mp type fs (opts)").
type Mount struct {
	Device     string   `json:"device"`
	MountPoint string   `json:"mount_point"`
	Filesystem string   `json:"filesystem_type"`
	Options    []string `json:"options"`
	System     bool     `json:"is_system_partition"`
	ReadWrite  bool     `json:"is_read_write"`
}

// ParseMount reads one line of "mount" output.
func ParseMount(line string) (Mount, bool) {
	dev, rest, ok := strings.Cut(strings.TrimSpace(line), " on ")
	if !ok {
		return Mount{}, false
	}
	mp, rest, ok := strings.Cut(rest, " type ")
	if !ok {
		return Mount{}, false
	}
	fsType, opts, _ := strings.Cut(rest, " ")
	m := Mount{Device: dev, MountPoint: mp, Filesystem: fsType}
	opts = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(opts), "("), ")")
	if opts != "" {
		m.Options = strings.Split(opts, ",")
	}
	m.System = android.IsSystemPartition(mp)
	for _, o := range m.Options {
		if o == "rw" {
			m.ReadWrite = true
		}
	}
	return m, true
}

func runMounts(ctx context.Context, env *module.Env) error {
	lines, name, err := readList(env, "mounts.json", "mount lines")
	if err != nil {
		return err
	}
	bad := 0
	for _, l := range lines {
		m, ok := ParseMount(l)
		if !ok {
			bad++
			continue
		}
		r := &model.Record{Source: name, Summary: fmt.Sprintf("%s mounted on %s (%s, %s)", m.Device, m.MountPoint, m.Filesystem, strings.Join(m.Options, ",")), Data: m}
		r.Add(model.KindFilePath, m.MountPoint, "mount_point")
		if strings.HasPrefix(m.Device, "/") {
			r.Add(model.KindFilePath, m.Device, "device")
		}
		env.Emit(r)
		for _, d := range android.Mount(m.Device, m.MountPoint, m.Options) {
			detect(env, &d, r)
		}
	}
	if bad > 0 {
		env.Warn("%s: %d lines could not be read", name, bad)
	}
	return nil
}
