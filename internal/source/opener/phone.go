package opener

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/source/phoneexport"
	"github.com/huella-project/huella/internal/source/scratch"
)

// Evidence a person produces on the phone alone, with no computer: an App
// Privacy Report, Safari's Export Browsing Data, crash reports shared from
// Analytics Data (internal/source/phoneexport), and on Android a bug
// report shared from its notification or Intrusion Logging's download, as
// the phone names and packs them (internal/source/androidqf).

// phoneKind recognises such evidence in a tree that is none of the kinds
// detected before it. It runs before intrusion-log detection, which opens
// any file: a Safari export is recognised by its names alone, so its
// passwords and payment cards are never opened.
func phoneKind(fsys fs.FS) source.Kind {
	if k := phoneexport.Classify(fsys); k != "" {
		return k
	}
	if androidqf.DetectWrappedBugreport(fsys) {
		return source.Bugreport
	}
	if androidqf.DetectPhoneIntrusionExport(fsys) {
		return source.IntrusionLogs
	}
	return ""
}

func isPhoneKind(k source.Kind) bool { return slices.Contains(source.PhoneKinds, k) }

func openPhoneExport(ctx context.Context, p string, kind source.Kind, tmp *scratch.Dir) (*source.Evidence, error) {
	return phoneexport.Open(ctx, p, kind, tmp)
}

// sniffHead is how much of a single file is read to recognise it: the first
// line of an App Privacy Report or of an .ips file can pass 512 bytes.
const sniffHead = 64 << 10

// openSingleFile opens a file handed over on its own that is no archive:
// an App Privacy Report, a crash report, Safari's History.json, a bug
// report's text (Android before 6 shared only that), or one intrusion-log
// file.
func openSingleFile(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	head, err := readHead(p, sniffHead)
	if err != nil {
		return nil, err
	}
	kind := o.Type
	if kind == "" {
		kind = phoneexport.Sniff(filepath.Base(p), head)
	}
	if kind == "" {
		kind = androidqf.SniffFile(head)
	}
	switch {
	case isPhoneKind(kind):
		return phoneexport.OpenFile(ctx, p, kind, tmp)
	case kind == source.Bugreport:
		return androidqf.OpenBugreportFile(ctx, p, aqfOptions(tmp, o))
	case kind == source.IntrusionLogs:
		return androidqf.OpenIntrusionLogFile(ctx, p, aqfOptions(tmp, o))
	}
	return nil, fmt.Errorf("%s: %w", p, ErrUnknown)
}

// errSecretFile refuses, unread, a file named like Safari's passwords or
// payment cards given on its own.
func errSecretFile(p string) error {
	return fmt.Errorf("%s: named like a file of passwords or payment cards: huella never opens such a file. "+
		"Give the Safari export's History.json, or the export without its Passwords and Payment Cards", p)
}
