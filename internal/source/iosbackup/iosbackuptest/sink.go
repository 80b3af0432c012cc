package iosbackuptest

import "github.com/huella-project/huella/internal/module/moduletest"

// Sink collects a module's output in tests (it implements module.Sink).
type Sink = moduletest.Sink
