package plistx

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"howett.net/plist"
)

// archive builds an NSKeyedArchiver document around objs ($objects[0] is
// "$null"), with root pointing at object 1.
func archive(t testing.TB, objs ...any) []byte {
	t.Helper()
	return marshal(t, map[string]any{
		"$version":  uint64(100000),
		"$archiver": "NSKeyedArchiver",
		"$top":      map[string]any{"root": plist.UID(1)},
		"$objects":  append([]any{"$null"}, objs...),
	}, plist.BinaryFormat)
}

func class(name string, supers ...string) map[string]any {
	cl := []any{name}
	for _, s := range supers {
		cl = append(cl, s)
	}
	return map[string]any{"$classname": name, "$classes": cl}
}

func TestUnarchive(t *testing.T) {
	key := []byte{3, 0, 0, 0, 0xAA, 0xBB}
	mbfile := archive(t,
		map[string]any{"$class": plist.UID(4), "LastModified": uint64(1610674669), "Size": uint64(9),
			"RelativePath": plist.UID(2), "EncryptionKey": plist.UID(3), "Extra": plist.UID(0)},
		"Library/SMS/sms.db",
		map[string]any{"$class": plist.UID(5), "NS.data": key},
		class("MBFile", "NSObject"),
		class("NSMutableData", "NSData", "NSObject"),
	)
	dict := archive(t,
		map[string]any{"$class": plist.UID(7), "NS.keys": []any{plist.UID(2), plist.UID(3)}, "NS.objects": []any{plist.UID(4), plist.UID(5)}},
		"when", "list",
		map[string]any{"$class": plist.UID(8), "NS.time": 0.5},
		map[string]any{"$class": plist.UID(9), "NS.objects": []any{plist.UID(6), plist.UID(0)}},
		map[string]any{"$class": plist.UID(10), "NS.string": "hi"},
		class("NSDictionary"), class("NSDate"), class("NSArray"), class("NSMutableString"),
	)
	// pyiosbackup-style: NS.data is itself a reference.
	indirect := archive(t,
		map[string]any{"$class": plist.UID(3), "EncryptionKey": plist.UID(2)},
		map[string]any{"$class": plist.UID(4), "NS.data": plist.UID(5)},
		class("MBFile"), class("NSMutableData"), key,
	)
	cases := []struct {
		name string
		data []byte
		want any
	}{
		{"indirect data", indirect, map[string]any{ClassKey: "MBFile", "EncryptionKey": key}},
		{"mbfile", mbfile, map[string]any{ClassKey: "MBFile", "LastModified": uint64(1610674669), "Size": uint64(9),
			"RelativePath": "Library/SMS/sms.db", "EncryptionKey": key, "Extra": nil}},
		{"collections", dict, map[string]any{
			"when": time.Date(2001, 1, 1, 0, 0, 0, 5e8, time.UTC),
			"list": []any{"hi", nil},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Unarchive(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v\nwant %#v", got, c.want)
			}
		})
	}
}

// laughArchive: n NSArrays each holding the next twice.
func laughArchive(t testing.TB, n int) []byte {
	objs := []any{}
	for i := 0; i < n; i++ {
		next := plist.UID(i + 2)
		objs = append(objs, map[string]any{"$class": plist.UID(n + 2), "NS.objects": []any{next, next}})
	}
	objs = append(objs, "leaf", class("NSArray"))
	return archive(t, objs...)
}

func TestUnarchiveRejects(t *testing.T) {
	cases := []struct {
		name  string
		data  []byte
		limit bool
	}{
		{"billion laughs", laughArchive(t, 40), true},
		{"cycle", archive(t, map[string]any{"$class": plist.UID(2), "NS.objects": []any{plist.UID(1)}}, class("NSArray")), false},
		{"out of range", archive(t, map[string]any{"$class": plist.UID(2), "NS.objects": []any{plist.UID(99)}}, class("NSArray")), false},
		{"not archiver", marshal(t, map[string]any{"$objects": []any{}}, plist.BinaryFormat), false},
		{"uneven dict", archive(t, map[string]any{"$class": plist.UID(2), "NS.keys": []any{plist.UID(0)}, "NS.objects": []any{}}, class("NSDictionary")), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Unarchive(c.data)
			if err == nil || (c.limit && !errors.Is(err, ErrLimit)) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := Unarchive(laughArchive(t, 5)); err != nil {
		t.Fatalf("small shared graph rejected: %v", err)
	}
}

func TestInt(t *testing.T) {
	for _, c := range []struct {
		in   any
		want int64
		ok   bool
	}{{uint64(5), 5, true}, {int64(-2), -2, true}, {3.0, 3, true}, {"x", 0, false}, {uint64(1 << 63), 0, false}} {
		if got, ok := Int(c.in); got != c.want || ok != c.ok {
			t.Errorf("Int(%v) = %v,%v", c.in, got, ok)
		}
	}
}

func FuzzUnarchive(f *testing.F) {
	f.Add(laughArchive(f, 6))
	f.Add(archive(f, map[string]any{"$class": plist.UID(2), "NS.string": "x"}, class("NSString")))
	lim := ArchiveLimits{Plist: Limits{MaxBytes: 1 << 20, MaxNodes: 100_000}, MaxNodes: 100_000, MaxDepth: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := UnarchiveLimits(data, lim)
		if err != nil {
			return
		}
		// Every resolved value counted against MaxNodes, shared ones each
		// time: the billion-laughs shape cannot come out.
		if depth, nodes := treeShape(v); nodes > lim.MaxNodes || depth > lim.MaxDepth+1 {
			t.Fatalf("unarchived a tree %d deep with %d values past the limits %+v", depth, nodes, lim)
		}
	})
}
