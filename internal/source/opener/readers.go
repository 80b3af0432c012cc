package opener

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/huella-project/huella/internal/source"
)

// The per-kind readers. Each lives in its own package under internal/source;
// this file is the one place that connects them to detection.

func openIOSBackup(ctx context.Context, p, tmp string, o Options) (*source.Evidence, error) {
	return nil, fmt.Errorf("%s: iOS backup reader not wired yet", p)
}

func openAndroidBackup(ctx context.Context, p, tmp string, o Options) (*source.Evidence, error) {
	return nil, fmt.Errorf("%s: Android backup reader not wired yet", p)
}

func openAndroidQF(ctx context.Context, p, tmp string, o Options) (*source.Evidence, error) {
	return nil, fmt.Errorf("%s: androidqf reader not wired yet", p)
}

func openBugreport(ctx context.Context, p, tmp string, o Options) (*source.Evidence, error) {
	return nil, fmt.Errorf("%s: bugreport reader not wired yet", p)
}

func openIntrusionLogs(ctx context.Context, p, tmp string, o Options) (*source.Evidence, error) {
	return nil, fmt.Errorf("%s: intrusion-log reader not wired yet", p)
}

func isIntrusionLogs(fsys fs.FS) bool { return false }
