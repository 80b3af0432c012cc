package androidab

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/huella-project/huella/internal/testutil"
)

func TestConformanceTarDigests(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_backup")
	tests := []struct {
		file, password, sha string
	}{
		{"backup.ab", "", "ce1ac5009fea5187a9f546b51e1446ba450243ae91d31dc779233ec0937b5d18"},
		{"backup2.ab", "123456", "f365ace1effbc4902c6aeba241ca61544f8a96ad456c1861808ea87b7dd03896"},
		{"backup3.ab", "", "33e73df2ede9798dcb3a85c06200ee41c8f52dd2f2e50ffafcceb0407bc13e3a"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			b, err := Parse(f, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			if _, err := io.Copy(h, b.Tar); err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != tt.sha {
				t.Fatalf("tar sha256 = %s, want %s", got, tt.sha)
			}
		})
	}
}

func TestConformanceEncryptedNeedsPassword(t *testing.T) {
	p := filepath.Join(testutil.Shared(t, "fixtures/mvt/android_backup"), "backup2.ab")
	for pw, want := range map[string]error{"": ErrPasswordNeeded, "654321": ErrWrongPassword} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(f, pw)
		f.Close()
		if err != want {
			t.Errorf("password %q: err = %v, want %v", pw, err, want)
		}
	}
}
