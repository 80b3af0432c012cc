package scratch

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBudget(t *testing.T) {
	b := NewBudget(100)
	steps := []struct {
		op      string
		n       int64
		wantErr string
		used    int64
	}{
		{"reserve", 60, "", 60},
		{"reserve", 41, "needs 41 B of temporary disk, over the run's budget (60 B of 100 B already in use)", 60},
		{"reserve", 40, "", 100},
		{"release", 70, "", 30},
		{"reserve", -1, "negative size", 30},
		{"release", 500, "", 0},
		{"reserve", 100, "", 100},
	}
	for i, s := range steps {
		var err error
		if s.op == "reserve" {
			err = b.Reserve("x.tar", s.n)
		} else {
			b.Release(s.n)
		}
		if (err == nil) != (s.wantErr == "") || err != nil && !strings.Contains(err.Error(), s.wantErr) {
			t.Fatalf("step %d: err = %v, want %q", i, err, s.wantErr)
		}
		if s.wantErr != "" && strings.Contains(s.wantErr, "budget") && !errors.Is(err, ErrBudget) {
			t.Fatalf("step %d: %v does not wrap ErrBudget", i, err)
		}
		if b.Used() != s.used {
			t.Fatalf("step %d: used %d, want %d", i, b.Used(), s.used)
		}
	}
	if b.Peak() != 100 {
		t.Fatalf("peak %d", b.Peak())
	}
	b.Close()
	b.Release(100)
	if err := b.Reserve("late", 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestDefaultBudget(t *testing.T) {
	dir := t.TempDir()
	sparse := filepath.Join(dir, "sparse")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got := DefaultBudget(sparse).Limit(); got != Floor {
		t.Errorf("3 GiB sparse file: budget %d, want the floor %d", got, Floor)
	}
	if err := os.WriteFile(filepath.Join(dir, "real"), bytes.Repeat([]byte{1}, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if u := DiskUsage(dir); u < 1<<20 || u > 2<<20 {
		t.Errorf("folder usage %d, want about 1 MiB (the sparse file holds nothing)", u)
	}
	if got := NewBudget(5).Limit(); got != 5 {
		t.Errorf("explicit budget %d", got)
	}
}

func TestDirWritesWithinReservations(t *testing.T) {
	b := NewBudget(1000)
	d, err := New(t.TempDir(), "huella-", b)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(d.Path()); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode %v, %v", fi.Mode(), err)
	}
	// Declared 10, holds 20: the write past the declaration is refused.
	if _, err := d.CopyIn("a", "entry a", bytes.NewReader(make([]byte, 20)), 10); !errors.Is(err, ErrBudget) {
		t.Fatalf("lying size: %v", err)
	}
	// Over the budget: nothing is created.
	if _, err := d.CopyIn("b", "entry b", bytes.NewReader(nil), 2000); !errors.Is(err, ErrBudget) {
		t.Fatalf("over budget: %v", err)
	}
	if _, err := os.Stat(d.Join("b")); !os.IsNotExist(err) {
		t.Fatalf("b created although refused: %v", err)
	}
	// Declared more than written: the rest is given back.
	p, err := d.CopyIn("c", "entry c", bytes.NewReader(make([]byte, 5)), 500)
	if _, err := os.Stat(d.Join("a")); !os.IsNotExist(err) {
		t.Fatalf("partial copy a kept: %v", err)
	}
	if err != nil || b.Used() != 5 {
		t.Fatalf("c: %v, used %d", err, b.Used())
	}
	sub, err := d.MkdirTemp("db")
	if err != nil || !strings.HasPrefix(sub, d.Path()) {
		t.Fatalf("MkdirTemp: %q %v", sub, err)
	}
	f, err := d.Create("late", "late file", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("folder not removed: %v", err)
	}
	// A goroutine still writing after the run ended (a module that overran
	// its deadline) can neither write nor recreate the folder.
	if _, err := f.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
	if _, err := d.Mkdir("again/deeper"); err == nil {
		t.Fatal("Mkdir after Close succeeded")
	}
	if _, err := d.CopyIn("again", "again", bytes.NewReader(nil), 0); err == nil {
		t.Fatal("CopyIn after Close succeeded")
	}
	if _, err := os.Stat(d.Path()); !os.IsNotExist(err) {
		t.Fatalf("folder recreated: %v", err)
	}
}
