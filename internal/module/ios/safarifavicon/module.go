// Package safarifavicon is the ios.safari_favicon module: Safari's favicon
// cache. It keeps pages the user loaded long after History.db was cleared.
package safarifavicon

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"private/var/mobile/Library/Image Cache/Favicons/Favicons.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Image Cache/Favicons/Favicons.db",
}

// Def is the ios.safari_favicon module.
func Def() module.Def {
	return module.New("ios.safari_favicon", "Safari favicon cache (Favicons.db): pages and icon URLs loaded, including rejected icons.", source.IOSFS).
		EachDB("Favicons.db", Paths, readDB)
}
