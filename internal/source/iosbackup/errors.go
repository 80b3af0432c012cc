package iosbackup

import "errors"

var (
	// ErrPasswordNeeded: the backup is encrypted and neither a password nor
	// a derived key was given.
	ErrPasswordNeeded = errors.New("the iOS backup is encrypted: give its password (or the key from extract-key)")
	// ErrWrongPassword: the password or key did not unlock the keybag.
	ErrWrongPassword = errors.New("wrong backup password or key: the keybag's class keys did not unwrap")
	// ErrNotBackup: the folder is not an iOS backup.
	ErrNotBackup = errors.New("not an iOS backup (needs Info.plist and Manifest.db or Manifest.plist)")
)
