package all

import "github.com/huella-project/huella/internal/module"

func android() []module.Module {
	return []module.Module{}
}
