package calls

import (
	"errors"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
)

// The MVT test backup does not hold this artifact.
func TestConformanceMVTBackup(t *testing.T) {
	if _, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t)); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("got %v, want ErrAbsent", err)
	}
}
