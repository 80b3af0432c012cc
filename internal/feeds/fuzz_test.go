package feeds

import (
	"path/filepath"
	"testing"
)

// FuzzParseIndex: a feed index comes from a file or over the network
// (`iocs update --index URL`), so it is untrusted. Whatever it says, parsing
// ends with an error or with feeds whose names are safe file names in the
// cache folder.
func FuzzParseIndex(f *testing.F) {
	f.Add(defaultIndex)
	f.Add([]byte("indicators:\n  - name: NSO Group Pegasus\n    type: github\n    github:\n      owner: mvt-project\n      repo: mvt-indicators\n      path: 2021-07-18_nso/pegasus.stix2\n  - name: x\n    type: download\n    download_url: https://example.org/a/b.stix2\n"))
	f.Add([]byte("a: &a [*a, *a]\nindicators: [*a]\n"))
	f.Add([]byte(`{"feeds":[{"name":"../x","url":"https://e/x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		idx, err := parseIndex(b, "index")
		if err != nil {
			return
		}
		for _, fd := range idx.Feeds {
			file := fd.Name + ".stix2"
			if fd.Name == "" || filepath.Base(file) != file || slug(fd.Name) != fd.Name || fd.URL == "" {
				t.Fatalf("unsafe feed accepted: %+v", fd)
			}
		}
	})
}
