package all

import "github.com/huella-project/huella/internal/module"

func ios() []module.Module {
	return []module.Module{}
}
