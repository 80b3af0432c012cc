package sysdiag

import (
	"fmt"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/module"
)

// StoppedEarly reports a file whose reading stopped at a limit (a line
// longer than any real one, more entries than a real log holds): what came
// before was read, the rest was not, so the file is a part not checked
// (over a limit), not only a warning. A crafted file cannot then hide an
// implant after its millionth line behind a clean verdict.
func StoppedEarly(env *module.Env, file string, err error) {
	if err == nil {
		return
	}
	env.Warn("%v", err)
	env.NotChecked(coverage.Gap{Part: file, Cause: coverage.OverLimit, Detail: err.Error()})
}

// NotKept reports values a module read but did not keep past a count
// limit (distinct processes, binaries, hosts, files): they were not
// matched, so they are a part not checked.
func NotKept(env *module.Env, part string, limit, dropped int) {
	if dropped <= 0 {
		return
	}
	msg := fmt.Sprintf("more than %d distinct values; %d further entries were not kept, so not matched", limit, dropped)
	env.Warn("%s: %s", part, msg)
	env.NotChecked(coverage.Gap{Part: part, Cause: coverage.OverLimit, Detail: msg})
}
