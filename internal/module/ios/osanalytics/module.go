// Package osanalytics is the ios.osanalytics_addaily module: the daily
// analytics baseline of network use per process, which keeps process names
// (Pegasus's among them) after the process is gone.
package osanalytics

import (
	"context"
	"fmt"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"HomeDomain/Library/Preferences/com.apple.osanalytics.addaily.plist",
	"private/var/mobile/Library/Preferences/com.apple.osanalytics.addaily.plist",
}

// Def is the ios.osanalytics_addaily module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.osanalytics_addaily",
		Description: "Per-process network usage baseline of OS analytics (com.apple.osanalytics.addaily.plist).",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

const maxPlist = 32 << 20

func run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "com.apple.osanalytics.addaily.plist", Paths, parseFile)
}

func parseFile(ctx context.Context, env *module.Env, name string) error {
	b, err := iosdb.ReadFile(env, name, maxPlist)
	if err != nil {
		return err
	}
	usages, err := Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for i := range usages {
		if err := ctx.Err(); err != nil {
			return err
		}
		env.Emit(record(name, &usages[i]))
	}
	return nil
}
