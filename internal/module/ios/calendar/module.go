// Package calendar reads calendar events (Calendar.sqlitedb) and flags the
// invitation shape QuaDream's ENDOFDAYS exploit used.
package calendar

import (
	"context"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the calendar database's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/Calendar/Calendar.sqlitedb",
	"private/var/mobile/Library/Calendar/Calendar.sqlitedb",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.calendar" }
func (Module) Description() string {
	return "Calendar events with their organisers, flagging QuaDream-shaped invitations."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "Calendar.sqlitedb", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	return eachEvent(ctx, db, func(e *Event) error {
		r := e.record(db.Name)
		env.Emit(r)
		env.Report(heuristics.QuaDreamCalendarEvent(e.Summary, e.Description, e.UUID), r)
		return nil
	})
}
