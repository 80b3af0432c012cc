package all

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/appprivacy"
	"github.com/huella-project/huella/internal/module/ios/safariexport"
)

// phoneExports lists the modules of the evidence a person exports from the
// iPhone alone. Crash reports shared from Analytics Data are read by
// ios.crash_reports (iosFS), Android's bug report and Intrusion Logging
// download by the android modules.
func phoneExports() []module.Def {
	return []module.Def{appprivacy.Def(), safariexport.Def()}
}
