package all

import (
	"slices"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/applications"
	"github.com/huella-project/huella/internal/module/ios/backupinfo"
	"github.com/huella-project/huella/internal/module/ios/calendar"
	"github.com/huella-project/huella/internal/module/ios/calls"
	"github.com/huella-project/huella/internal/module/ios/chrome"
	"github.com/huella-project/huella/internal/module/ios/contacts"
	"github.com/huella-project/huella/internal/module/ios/datausage"
	"github.com/huella-project/huella/internal/module/ios/firefox"
	"github.com/huella-project/huella/internal/module/ios/globalprefs"
	"github.com/huella-project/huella/internal/module/ios/idstatuscache"
	"github.com/huella-project/huella/internal/module/ios/interactionc"
	"github.com/huella-project/huella/internal/module/ios/locationd"
	"github.com/huella-project/huella/internal/module/ios/manifest"
	"github.com/huella-project/huella/internal/module/ios/osanalytics"
	"github.com/huella-project/huella/internal/module/ios/profiles"
	"github.com/huella-project/huella/internal/module/ios/safarihistory"
	"github.com/huella-project/huella/internal/module/ios/safaristate"
	"github.com/huella-project/huella/internal/module/ios/shortcuts"
	"github.com/huella-project/huella/internal/module/ios/sms"
	"github.com/huella-project/huella/internal/module/ios/smsattachments"
	"github.com/huella-project/huella/internal/module/ios/tcc"
	"github.com/huella-project/huella/internal/module/ios/webkit"
	"github.com/huella-project/huella/internal/module/ios/whatsapp"
	"github.com/huella-project/huella/internal/module/ios/whatsappcontacts"
)

func ios() []module.Def {
	return slices.Concat(
		[]module.Def{backupinfo.Def(), manifest.Def()},
		profiles.Defs(),
		chrome.Defs(),
		firefox.Defs(),
		[]module.Def{locationd.Def(), osanalytics.Def(), datausage.Def(), safaristate.Def(), safarihistory.Def()},
		webkit.Defs(),
		[]module.Def{calls.Def(), contacts.Def(), idstatuscache.Def()},
		interactionc.Defs(),
		[]module.Def{tcc.Def(), sms.Def(), smsattachments.Def(), whatsapp.Def(), whatsappcontacts.Def(),
			shortcuts.Def(), applications.Def(), calendar.Def(), globalprefs.Def()},
	)
}
