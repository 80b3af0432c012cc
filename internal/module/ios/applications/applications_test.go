package applications

import (
	"errors"
	"slices"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func meta(t testing.TB, m map[string]any) []byte {
	b, err := plist.Marshal(m, plist.XMLFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var bought = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	moduletest.Plist(t, dir, InfoPlist, map[string]any{
		"Applications": map[string]any{
			"net.whatsapp.WhatsApp": map[string]any{"iTunesMetadata": meta(t, map[string]any{
				"softwareVersionBundleId": "net.whatsapp.WhatsApp", "itemName": "WhatsApp", "artistName": "WhatsApp Inc.",
				"com.apple.iTunesStore.downloadInfo": map[string]any{"purchaseDate": bought.Format(time.RFC3339)}})},
			"com.sideloaded.tool": map[string]any{"iTunesMetadata": meta(t, map[string]any{"sourceApp": "com.altstore.AltStore"})},
			"com.broken.meta":     map[string]any{"iTunesMetadata": []byte("bplist00junk")},
		},
		"Installed Applications": []any{"net.whatsapp.WhatsApp", "org.mozilla.ios.Firefox"},
	})
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range sink.Records {
		ids = append(ids, r.Data.(*App).BundleID)
		if !moduletest.Has(r, model.KindAppID, r.Data.(*App).BundleID) || !moduletest.Has(r, model.KindProcess, r.Data.(*App).BundleID) {
			t.Errorf("%s lacks app_id observable", r.Data.(*App).BundleID)
		}
	}
	if !slices.Equal(ids, []string{"com.broken.meta", "com.sideloaded.tool", "net.whatsapp.WhatsApp", "org.mozilla.ios.Firefox"}) {
		t.Errorf("ids %v", ids)
	}
	if len(sink.Warnings) != 1 {
		t.Errorf("warnings %v", sink.Warnings)
	}
	wa := sink.Records[2]
	if len(wa.Times) != 1 || !wa.Times[0].Time.Equal(bought) || wa.Times[0].Desc != "app_installed" {
		t.Errorf("whatsapp stamps %+v", wa.Times)
	}
	if rules := sink.Rules(); !slices.Equal(rules, []string{"ios.app.not_from_store"}) || sink.Detections[0].Record != sink.Records[1] {
		t.Errorf("detections %+v", sink.Detections)
	}
}

func TestFS(t *testing.T) {
	dir := t.TempDir()
	moduletest.File(t, dir, "private/var/containers/Bundle/Application/AAAA/iTunesMetadata.plist",
		meta(t, map[string]any{"softwareVersionBundleId": "com.example.app", "sourceApp": "com.apple.AppStore"}))
	moduletest.File(t, dir, "private/var/containers/Bundle/Application/BBBB/iTunesMetadata.plist", []byte("<plist><dict><key>x"))
	sink, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 1 || len(sink.Warnings) != 1 || len(sink.Detections) != 0 {
		t.Fatalf("records %d warnings %v detections %v", len(sink.Records), sink.Warnings, sink.Detections)
	}
	if !moduletest.Has(sink.Records[0], model.KindFilePath, "/private/var/containers/Bundle/Application/AAAA") {
		t.Errorf("observables %+v", sink.Records[0].Observables)
	}
}

// TestImpossiblePurchaseDateKeptRaw: a purchase date that is no plausible
// date (RFC 3339 text in year 2999 or in no date form, a plist date past
// 2100) is kept as stored on the app's record, not turned into no date.
func TestImpossiblePurchaseDateKeptRaw(t *testing.T) {
	for _, c := range []struct {
		name string
		date any
		raw  string
	}{
		{"text year 2999", "2999-01-01T00:00:00Z", "2999-01-01T00:00:00Z"},
		{"text in no date form", "last week", "last week"},
		{"plist date past 2100", time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.File(t, dir, "private/var/containers/Bundle/Application/AAAA/iTunesMetadata.plist",
				meta(t, map[string]any{"softwareVersionBundleId": "com.example.app", "sourceApp": "com.apple.AppStore",
					"com.apple.iTunesStore.downloadInfo": map[string]any{"purchaseDate": c.date}}))
			sink := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
			if len(sink.Records) != 1 {
				t.Fatalf("%d records", len(sink.Records))
			}
			r := sink.Records[0]
			if len(r.RawTimes) != 1 || (c.raw != "" && r.RawTimes[0].Raw != c.raw) || r.RawTimes[0].Raw == "" {
				t.Fatalf("raw times %+v", r.RawTimes)
			}
			moduletest.KeepsRaw(t, r, map[string]string{"app_installed": r.RawTimes[0].Raw})
			if !r.Data.(*App).Purchased.IsZero() {
				t.Errorf("purchased %v", r.Data.(*App).Purchased)
			}
		})
	}
}

func TestAbsent(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
}

func FuzzFromMetadata(f *testing.F) {
	f.Add(meta(f, map[string]any{"softwareVersionBundleId": "a.b", "com.apple.iTunesStore.downloadInfo": map[string]any{"purchaseDate": "2021-01-01T00:00:00Z"}}))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := FromMetadata("fallback", b)
		if err == nil && a.BundleID == "" {
			t.Fatal("no bundle id")
		}
	})
}
