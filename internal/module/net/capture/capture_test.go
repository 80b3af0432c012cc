package capture

import (
	"bytes"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
)

func writeCapture(t *testing.T, plant, classic bool) string {
	t.Helper()
	dir := t.TempDir()
	var b bytes.Buffer
	tr := samplegen.PhoneTraffic(7, plant)
	var err error
	name := "traffic.pcapng"
	if classic {
		name = "traffic.pcap"
		err = tr.WritePcap(&b, 7)
	} else {
		err = tr.WritePcapNG(&b, 7)
	}
	if err != nil {
		t.Fatal(err)
	}
	moduletest.File(t, dir, filepath.Join("capture", name), b.Bytes())
	return dir
}

func TestCapture(t *testing.T) {
	for _, classic := range []bool{false, true} {
		dir := writeCapture(t, true, classic)
		sink := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.Network, dir))
		var sums []string
		for _, r := range sink.Records {
			sums = append(sums, r.Summary)
		}
		sort.Strings(sums)
		t.Logf("%d records\n%s", len(sink.Records), strings.Join(sums, "\n"))
		t.Logf("rules %v warnings %v", sink.Rules(), sink.Warnings)
		_ = model.KindDomain
		_ = netflow.DescConnFirst
		_ = slices.Contains[[]string]
	}
}
