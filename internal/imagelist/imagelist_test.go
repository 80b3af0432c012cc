package imagelist

import (
	"strings"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	list := "Path,Modified\n" +
		"filesystem1/System/Library/x.plist,1600000000\n" +
		"extra/tool.log,1\n" +
		"filesystem2/mobile/Library/SMS/sms.db,\n" +
		"metadata.json\n" +
		"filesystem2/root/y,notanumber\n"
	var got []Entry
	if err := Read(strings.NewReader(list), func(e Entry) bool { got = append(got, e); return true }); err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Path: "/System/Library/x.plist", Modified: time.Unix(1600000000, 0).UTC()},
		{Path: "/private/var/mobile/Library/SMS/sms.db"},
		{Path: "/private/var/root/y"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %v, want %v", i, got[i], want[i])
		}
	}
	n := 0
	if err := Read(strings.NewReader(list), func(Entry) bool { n++; return false }); err != nil || n != 1 {
		t.Errorf("stopping: %d entries, %v", n, err)
	}
}
