package links

import (
	"testing"
	"unicode/utf8"
)

func FuzzCheckLink(f *testing.F) {
	for _, s := range []string{
		"https://bit.ly/3abc", "http://apple.com@203.0.113.1:8080/1234567s/", "https://xn--pple-43d.com/",
		"https://аpple.com/", "gdvynopz3pa0tik.xyz", "http://[::1]:99999/", "http://0x7f.1/", "mailto:a@b",
		"https://www.apple.com.secure.top/", "http://%zz/", "://", "http://xn--/", "http://a..b/", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fd := range CheckLink(s) {
			if text := fd.Text("en"); fd.Rule == "" || text == "" || !utf8.ValidString(text) || !utf8.ValidString(fd.Text("es")) {
				t.Fatalf("empty finding %+v for %q", fd, s)
			}
		}
	})
}
