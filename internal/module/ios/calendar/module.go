// Package calendar reads calendar events (Calendar.sqlitedb) and flags the
// invitation shape QuaDream's ENDOFDAYS exploit used.
package calendar

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are the calendar database's backup and file-system locations.
var Paths = module.InHome("Library/Calendar/Calendar.sqlitedb")

// Def is the ios.calendar module.
func Def() module.Def {
	return module.IOS("ios.calendar", "Calendar events with their organisers, flagging QuaDream-shaped invitations.").
		FirstDB("Calendar.sqlitedb", Paths, read)
}
