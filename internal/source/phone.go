package source

// Evidence a person exports from the phone itself, without a computer
// (internal/source/phoneexport reads them). Android's on-phone exports (a
// bug report shared from the notification, Intrusion Logging's download)
// are the android-bugreport and android-intrusion-logs kinds.
const (
	// IOSAppPrivacyReport: Settings → Privacy & Security → App Privacy
	// Report → share: App_Privacy_Report_v4_<date>.ndjson.
	IOSAppPrivacyReport Kind = "ios-app-privacy-report"
	// IOSSafariExport: Settings → Apps → Safari → Export Browsing Data: a
	// zip of History.json, Extensions.json and files that hold secrets.
	IOSSafariExport Kind = "ios-safari-export"
	// IOSCrashReports: .ips (and older .crash) files shared from Settings →
	// Privacy & Security → Analytics & Improvements → Analytics Data.
	IOSCrashReports Kind = "ios-crash-reports"
)

// PhoneKinds are the kinds above, tried after the others.
var PhoneKinds = []Kind{IOSAppPrivacyReport, IOSSafariExport, IOSCrashReports}
