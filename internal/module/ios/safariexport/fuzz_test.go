package safariexport

import (
	"bytes"
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// FuzzHistory feeds arbitrary bytes to the history reader and the redirect
// linking. Invariants: no panic; never more visits than items, nor than
// maxItems; every visit has a url, cut to maxField; its time is in the
// plausible range or kept as an error; every fast redirect found links
// two visits read, in time order, less than a second apart.
func FuzzHistory(f *testing.F) {
	f.Add([]byte(historyJSON(item("http://a.example/", t0, `"destination_url":"https://b.example/","destination_time_usec":1708398840100000`), item("https://b.example/", t0+100000, ""))))
	f.Add([]byte(`{"metadata":{"data_type":"payment_cards"},"payment_cards":[]}`))
	f.Add([]byte(`{"history":[{"url":"x","time_usec":-1},{"url":"y","time_usec":"9"}],"metadata":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var visits []*Visit
		st, _ := ReadHistory("History.json", bytes.NewReader(data), func(v *Visit) error {
			visits = append(visits, v)
			return nil
		})
		if len(visits) > st.Items || len(visits) > maxItems || st.Items > len(data) {
			t.Fatalf("%d visits, %d items from %d bytes", len(visits), st.Items, len(data))
		}
		for _, v := range visits {
			if v.URL == "" || len(v.URL) > maxField+3 {
				t.Fatalf("visit url %q", v.URL)
			}
			if !v.Time.IsZero() && !timestamp.InRange(v.Time) || v.Time.IsZero() && v.TimeUsec != 0 && v.timeErr == nil {
				t.Fatalf("time %v from %d, err %v", v.Time, v.TimeUsec, v.timeErr)
			}
		}
		slices.SortStableFunc(visits, func(a, b *Visit) int { return cmp.Compare(a.TimeUsec, b.TimeUsec) })
		for _, fr := range FastRedirects(visits) {
			if fr.Delay < 0 || fr.Delay >= time.Second || fr.From.ID < 1 || int(fr.To.ID) > len(visits) || fr.From.ID == fr.To.ID {
				t.Fatalf("redirect %+v", fr)
			}
		}
	})
}

// FuzzExtensions feeds arbitrary bytes to the extensions reader.
// Invariants: no panic; never more extensions than items, nor than
// maxItems; every value cut to maxField.
func FuzzExtensions(f *testing.F) {
	f.Add([]byte(`{"metadata":{"data_type":"extensions"},"extensions":[{"composed_identifier":"com.x.ext (AB12)","display_name":"X","marketplace_lookup":{"store_identifier":"1"}}]}`))
	f.Add([]byte(`{"extensions":[1,"x",{}],"metadata":{"data_type":"history"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		st, _ := ReadExtensions("Extensions.json", bytes.NewReader(data), func(e *Extension) error {
			n++
			for _, v := range []string{e.Identifier, e.BundleID, e.Developer, e.Name, e.StoreID, e.IOSApp, e.IOSExt, e.MacApp, e.MacExt} {
				if len(v) > maxField+3 {
					t.Fatalf("value of %d bytes", len(v))
				}
			}
			return nil
		})
		if n > st.Items || n > maxItems || st.Items > len(data) {
			t.Fatalf("%d extensions, %d items from %d bytes", n, st.Items, len(data))
		}
	})
}
