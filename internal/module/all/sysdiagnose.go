package all

import "github.com/huella-project/huella/internal/module"

func sysdiagnose() []module.Module {
	return []module.Module{}
}
