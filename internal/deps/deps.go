package deps

import (
	_ "filippo.io/age"
	_ "github.com/chromedp/chromedp"
	_ "github.com/spf13/cobra"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/net/idna"
	_ "golang.org/x/net/publicsuffix"
	_ "golang.org/x/term"
	_ "google.golang.org/protobuf/proto"
	_ "howett.net/plist"
	_ "modernc.org/sqlite"
)
