package all

import "github.com/huella-project/huella/internal/module"

func iosFS() []module.Module {
	return []module.Module{}
}
