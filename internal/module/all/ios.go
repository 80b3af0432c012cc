package all

import (
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

func ios() []module.Module {
	return []module.Module{
		backupinfo.New(),
		profiles.New(),
		manifest.New(),
		profiles.NewEvents(),
		chrome.NewHistory(),
		chrome.NewFavicon(),
		firefox.NewHistory(),
		firefox.NewFavicon(),
		locationd.New(),
		osanalytics.New(),
		datausage.New(),
		safaristate.New(),
		safarihistory.New(),
		webkit.NewStatistics(),
		webkit.NewSessionLog(),
		calls.New(),
		contacts.New(),
		idstatuscache.New(),
		interactionc.New(),
		interactionc.NewContacts(),
		tcc.New(),
		sms.New(),
		smsattachments.New(),
		whatsapp.New(),
		whatsappcontacts.New(),
		shortcuts.New(),
		applications.New(),
		calendar.New(),
		globalprefs.New(),
	}
}
