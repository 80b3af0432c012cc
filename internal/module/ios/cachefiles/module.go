// Package cachefiles is the ios.cache_files module: every CFNetwork
// Cache.db in a file-system dump. Apps cache what they fetch there, so a
// link opened inside an app (and the exploit stages it pulled) can survive
// after the app's history is gone.
package cachefiles

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{"**/Cache.db"}

// Def is the ios.cache_files module.
func Def() module.Def {
	return module.New("ios.cache_files", "CFNetwork caches (every Cache.db): URLs apps fetched, with the time of each response.", source.IOSFS).
		EachDB("Cache.db", Paths, readDB)
}
