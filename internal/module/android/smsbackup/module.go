// Package smsbackup reads the SMS and MMS that Android's telephony provider puts
// in an adb backup (apps/com.android.providers.telephony/d_f/*_sms_backup
// and *_mms_backup: zlib-compressed JSON lists) and exposes their links.
package smsbackup

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the telephony provider's SMS and MMS backup files.
var Paths = []string{dir + "*_sms_backup", dir + "*_mms_backup"}

// Def is the android.sms_backup module.
func Def() module.Def {
	return module.Android("android.sms_backup", "SMS and MMS from the telephony provider's backup (.ab or the backup.ab of an androidqf acquisition), with their links.", source.AndroidBackup).
		Reads(Paths, run)
}

const dir = "**/apps/com.android.providers.telephony/d_f/"
