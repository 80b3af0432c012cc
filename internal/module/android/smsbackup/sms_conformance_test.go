package smsbackup

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidab"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/testutil"
)

func links(res *moduletest.Sink) [][]string {
	var out [][]string
	for _, r := range res.Records {
		out = append(out, r.Data.(*Message).Links)
	}
	return out
}

func TestConformanceMVTBackups(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_backup")
	// MVT: a folder is read SMS files first, a .ab in tar order, where the
	// telephony provider wrote its MMS file first.
	smsFirst := [][]string{{"https://google.com/"}, {"http://google.com"}}
	tarOrder := [][]string{{"http://google.com"}, {"https://google.com/"}}
	one := [][]string{{"https://google.com/"}}
	tests := []struct {
		path, password string
		want           [][]string
	}{
		{dir, "", smsFirst}, // the unpacked folder
		{filepath.Join(dir, "backup.ab"), "", tarOrder},
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
			if got := links(moduletest.MustRun(t, Def(), ev)); !reflect.DeepEqual(got, tt.want) {
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
		res := moduletest.MustRun(t, Def(), ev)
		if got := len(res.Records); got != tt.n {
			t.Errorf("%s: %d messages, want %d (notes %q)", tt.rel, got, tt.n, ev.Notes)
		}
		// The nested backup.ab is the same as MVT's backup.ab: tar order.
		if tt.n == 2 && !reflect.DeepEqual(links(res)[0], []string{"http://google.com"}) {
			t.Errorf("%s: first message's links %q, want the MMS's http://google.com", tt.rel, links(res)[0])
		}
		ev.Close()
	}
}
