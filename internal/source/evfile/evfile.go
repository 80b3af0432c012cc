// Package evfile is the one way huella reads the bytes of evidence files.
//
// Evidence may be crafted by the vendor whose spyware it records, so every
// read goes through three checks, in this order:
//
//  1. the file is opened without blocking and must be a regular file inside
//     the evidence root (Dir refuses named pipes, sockets, devices and links
//     that lead outside the root; archive readers refuse such entries);
//  2. its size is checked against the limit for its kind of file *before*
//     anything is allocated;
//  3. it is read through a limit, so a size an archive entry declares is
//     never trusted: a file that holds more than it declared, or more than
//     the limit, is refused when the limit is crossed.
//
// Refusals are *RefusedError values naming the file; callers that hold the
// evidence (source.Evidence.ReadFile, module.Env.ReadFile and their Open)
// also record them as a note and as a part not checked (coverage.Refused or
// OverLimit), so a refused file is never silently skipped and the verdict
// says it was not checked.
//
// Anything every evidence read should get (a layout prefix to strip, text
// encodings to recognise) belongs here, where every reader passes.
package evfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Limit is the most bytes huella reads from one kind of evidence file.
type Limit struct {
	Kind string // what the file is, for messages: "property list"
	Max  int64  // bytes
	// Structured kinds (property lists, JSON, databases) cannot be empty:
	// a file of 0 bytes is one the acquisition could not copy (files in
	// use are often left so), and ReadFile says so with an *EmptyError
	// instead of handing a parser nothing to fail on.
	Structured bool
	// Text kinds are decoded to UTF-8 when they are UTF-16 (with or
	// without a byte-order mark), and lose a UTF-8 byte-order mark: what
	// getprop, dumpsys or a bug report saved through a Windows shell
	// becomes (DecodeText).
	Text bool
}

// The limits of the kinds of files read whole. Each is far above the
// largest real file of its kind and far below what would hurt a laptop.
var (
	// Pointer files name another file (a bug report's main_entry.txt).
	Pointer = Limit{Kind: "pointer file", Max: 4 << 10}
	// SmallJSON: androidqf's acquisition.json, an ADB public key.
	SmallJSON = Limit{Kind: "small metadata file", Max: 1 << 20, Structured: true}
	// Plist: preference and configuration-profile property lists.
	Plist = Limit{Kind: "property list", Max: 64 << 20, Structured: true}
	// BackupInfo: an iOS backup's Info.plist embeds app icons and metadata
	// and reaches tens of megabytes.
	BackupInfo = Limit{Kind: "backup Info.plist", Max: 256 << 20, Structured: true}
	// BackupManifest: an iOS backup's Manifest.plist (keybag, app list).
	BackupManifest = Limit{Kind: "backup Manifest.plist", Max: 64 << 20, Structured: true}
	// Text: logs, getprop output, ps listings read whole. Text in UTF-16
	// (saved through a Windows shell) is decoded to UTF-8: see DecodeText.
	Text = Limit{Kind: "text file", Max: 64 << 20, Text: true}
	// JSON: androidqf's JSON lists, read whole before decoding (which
	// takes a few times their size in memory); real ones are megabytes.
	JSON = Limit{Kind: "JSON file", Max: 64 << 20, Structured: true}
	// Database: an SQLite file copied into the private folder (the disk
	// budget is what really bounds it).
	Database = Limit{Kind: "database", Max: 64 << 30, Structured: true}
	// Stream: files a parser streams with its own bounds on what it keeps
	// (a dumpstate, files.json): the cap only stops a lying size.
	Stream = Limit{Kind: "streamed file", Max: 16 << 30}
	// TextStream: text streamed line by line (dumpsys, a bug report's
	// dumpstate, getprop output); UTF-16 is decoded as it is read.
	TextStream = Limit{Kind: "text file", Max: 16 << 30, Text: true}
)

func (l Limit) String() string { return fmt.Sprintf("%s limit for a %s", Size(l.Max), l.Kind) }

// ErrRefused is what every refusal of this package wraps.
var ErrRefused = errors.New("refused")

// RefusedError says which evidence file was refused and why.
type RefusedError struct {
	Name   string // logical path
	Reason string
}

func (e *RefusedError) Error() string { return e.Name + ": refused: " + e.Reason }
func (e *RefusedError) Unwrap() error { return ErrRefused }

// IsRefused says whether err is (or wraps) a refusal by this package.
func IsRefused(err error) bool { return errors.Is(err, ErrRefused) }

// ErrEmpty is what every *EmptyError wraps.
var ErrEmpty = errors.New("present but empty")

// EmptyError says a file that cannot be empty (a database, a property
// list, JSON) holds 0 bytes: present, but not checked. It is not a parse
// failure: acquisitions leave files that were in use empty.
type EmptyError struct {
	Name string
}

func (e *EmptyError) Error() string {
	return e.Name + ": present but empty (0 bytes; files in use are often left empty when a phone is acquired)"
}
func (e *EmptyError) Unwrap() error { return ErrEmpty }

// OnlyEmpty says whether err is an *EmptyError, or errors joined that are
// all *EmptyError: a module whose files were all empty read nothing, but
// did not fail.
func OnlyEmpty(err error) bool {
	if err == nil {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		if len(errs) == 0 {
			return false
		}
		for _, e := range errs {
			if !OnlyEmpty(e) {
				return false
			}
		}
		return true
	}
	var ee *EmptyError
	return errors.As(err, &ee)
}

// File is an opened regular evidence file.
type File struct {
	fs.File
	Info fs.FileInfo
	name string
	lim  Limit
	left int64     // bytes still allowed
	text io.Reader // for text limits: the decoding reader, made on first Read
}

// Name is the logical path the file was opened as.
func (f *File) Name() string { return f.name }

// Read reads at most the limit; one byte past it is an error naming the
// file, whatever size the file (or an archive entry) declared. A text
// limit decodes UTF-16 to UTF-8 as it reads (the limit counts the file's
// own bytes).
func (f *File) Read(p []byte) (int, error) {
	if f.lim.Text {
		if f.text == nil {
			f.text = NewTextReader(rawReader{f})
		}
		return f.text.Read(p)
	}
	return f.readRaw(p)
}

type rawReader struct{ f *File }

func (r rawReader) Read(p []byte) (int, error) { return r.f.readRaw(p) }

func (f *File) readRaw(p []byte) (int, error) {
	n, err := ReadCapped(f.File, p, &f.left)
	if err == ErrPastCap {
		err = &RefusedError{Name: f.name, Reason: "holds more than the " + f.lim.String()}
	}
	return n, err
}

// ErrPastCap is ReadCapped's error for a source that holds more than it may.
var ErrPastCap = errors.New("holds more bytes than allowed")

// ReadCapped reads from r into p at most *left bytes, counting them off.
// Once none are left, one more byte in r means it holds more than it may
// (more than a limit, or than a header declared): the error is ErrPastCap,
// which the caller words; else r's end is io.EOF. The bounded readers of
// evidence files and archive entries read through it.
func ReadCapped(r io.Reader, p []byte, left *int64) (int, error) {
	if *left <= 0 {
		var b [1]byte
		n, err := r.Read(b[:])
		if n > 0 {
			return 0, ErrPastCap
		}
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > *left {
		p = p[:*left]
	}
	n, err := r.Read(p)
	*left -= int64(n)
	return n, err
}

// Open opens name from fsys for streaming under lim: it must be a regular
// file and must not declare more than lim.Max bytes; reads stop at lim.Max.
func Open(fsys fs.FS, name string, lim Limit) (*File, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, asRefusal(name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if why := NotRegular(fi.Mode()); why != "" {
		f.Close()
		return nil, &RefusedError{Name: name, Reason: why}
	}
	if fi.Size() > lim.Max {
		f.Close()
		return nil, &RefusedError{Name: name, Reason: fmt.Sprintf("declares %s, over the %s", Size(fi.Size()), lim)}
	}
	return &File{File: f, Info: fi, name: name, lim: lim, left: lim.Max}, nil
}

// ReadFile reads a whole evidence file under lim. The buffer is sized from
// the declared size only once that size has passed the limit, and grows no
// further than the limit whatever the file really holds.
func ReadFile(fsys fs.FS, name string, lim Limit) ([]byte, error) {
	f, err := Open(fsys, name, lim)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := max(f.Info.Size(), 0)
	buf := make([]byte, 0, size+1)
	for {
		if len(buf) == cap(buf) {
			// The declared size was wrong (or zero): grow, never past the limit + 1.
			next := min(max(2*int64(cap(buf)), 512), lim.Max+1)
			if next <= int64(cap(buf)) {
				next = int64(cap(buf)) + 1
			}
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			buf = grown
		}
		n, err := f.readRaw(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if len(buf) == 0 && lim.Structured {
				return nil, &EmptyError{Name: name}
			}
			if lim.Text {
				return DecodeText(buf), nil
			}
			return buf, nil
		}
		if err != nil {
			if IsRefused(err) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
}

// ReadAll reads the rest of an already opened stream (the body after a
// header a parser read itself) under lim, refusing it past the limit.
func ReadAll(r io.Reader, name string, lim Limit) ([]byte, error) {
	f := &File{File: readerFile{r}, name: name, lim: lim, left: lim.Max}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		if IsRefused(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// readerFile lets File's limited Read wrap a plain reader.
type readerFile struct{ io.Reader }

func (readerFile) Stat() (fs.FileInfo, error) { return nil, errors.New("not a file") }
func (readerFile) Close() error               { return nil }

// NotRegular says why a file of mode m cannot be read as evidence bytes, or
// "" for a regular file.
func NotRegular(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO), not a regular file"
	case m&fs.ModeSocket != 0:
		return "a socket, not a regular file"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "a device, not a regular file"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link, not a regular file"
	case m.IsDir():
		return "a folder, not a file"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// Size prints a byte count for people: "7.5 GiB", "312 B".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s + " " + string("KMGTPE"[exp]) + "iB"
}

// WithContext is r stopping with ctx's error once ctx is done: long copies
// of evidence (decryption, hashing, extraction, private copies) check it
// between reads, so a cancelled run never waits for a multi-gigabyte copy.
func WithContext(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
