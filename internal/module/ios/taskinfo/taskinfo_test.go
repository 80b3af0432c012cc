package taskinfo

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func sample(names ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "num tasks: %d\n\n", len(names))
	for i, n := range names {
		fmt.Fprintf(&b, "process: \"%s\" [%d]\n\tarchitecture: arm64e\n\tcoalition (type 0/resource) ID: 1\n\trun time: %d s\n\tthreads:\n\t\tthread ID: 0x%x / %d\n\t\t\tuser/system time: 0.1 s / 0.2 s\n\n\n",
			n, i+1, 3600*(i+1), i+100, i+100)
	}
	return b.String()
}

func TestParse(t *testing.T) {
	tasks, n, err := Parse(strings.NewReader(sample("launchd", "with space \"q\"")), "t")
	if err != nil || n != 2 || len(tasks) != 2 {
		t.Fatalf("%v %d %+v", err, n, tasks)
	}
	if tasks[0] != (Task{Name: "launchd", PID: 1, RunTime: 3600}) || tasks[1].Name != `with space "q"` || tasks[1].RunTime != 7200 {
		t.Errorf("%+v", tasks)
	}
	if _, _, err := Parse(strings.NewReader("nothing\n"), "t"); err == nil {
		t.Error("no error for a file that is not a task listing")
	}
}

func TestModule(t *testing.T) {
	ev := moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"taskinfo.txt": sample("launchd", "bh")})
	taken := time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC)
	ev.Device.Acquired = &taken
	s := moduletest.MustRun(t, Def(), ev)
	if len(s.Records) != 2 || s.Stamps() != 2 || !s.Records[1].Times[0].Time.Equal(taken.Add(-2*time.Hour)) {
		t.Fatalf("%+v", s.Records)
	}
	if got := s.Observables("process"); len(got) != 2 || got[1] != "bh" {
		t.Errorf("%v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample("a", "b"))
	f.Add("process: \"\" [x]\nrun time: -1 s\nprocess: \"a\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		tasks, _, _ := Parse(strings.NewReader(s), "f")
		if len(tasks) > maxTasks {
			t.Fatal("too many")
		}
		for _, k := range tasks {
			if k.Name == "" || k.PID < 0 || k.RunTime < -1 || !strings.Contains(s, k.Name) {
				t.Fatalf("bad task %+v", k)
			}
		}
	})
}
