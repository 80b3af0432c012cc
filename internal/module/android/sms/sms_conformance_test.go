package sms

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/huella-project/huella/internal/module/android/androidtest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidab"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/testutil"
)

func links(res *androidtest.Result) [][]string {
	var out [][]string
	for _, r := range res.Records {
		out = append(out, r.Data.(*Message).Links)
	}
	return out
}

func TestConformanceMVTBackups(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_backup")
	both := [][]string{{"https://google.com/"}, {"http://google.com"}}
	one := [][]string{{"https://google.com/"}}
	tests := []struct {
		path, password string
		want           [][]string
	}{
		{dir, "", both}, // the unpacked folder
		{filepath.Join(dir, "backup.ab"), "", both},
		{filepath.Join(dir, "backup2.ab"), "123456", one},
		{filepath.Join(dir, "backup3.ab"), "", one},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			ev, err := androidab.Open(context.Background(), tt.path, androidab.Options{Password: tt.password, TempRoot: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			if got := links(androidtest.Run(t, New(), ev)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("links per message = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConformanceMVTAndroidQFBackups(t *testing.T) {
	tests := []struct {
		rel, password string
		n             int
	}{
		{"fixtures/mvt/androidqf", "", 2},
		{"fixtures/mvt/androidqf_encrypted", "123456", 1},
	}
	for _, tt := range tests {
		ev, err := androidqf.Open(context.Background(), testutil.Shared(t, tt.rel), androidqf.Options{BackupPassword: tt.password, TempRoot: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != source.AndroidQF {
			t.Fatalf("kind %s", ev.Kind)
		}
		if got := len(androidtest.Run(t, New(), ev).Records); got != tt.n {
			t.Errorf("%s: %d messages, want %d (notes %q)", tt.rel, got, tt.n, ev.Notes)
		}
		ev.Close()
	}
}
