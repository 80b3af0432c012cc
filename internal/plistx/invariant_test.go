package plistx

// treeShape measures a decoded value as the limits count it: depth of the
// deepest value (the top one at 0) and the number of values, a
// dictionary's keys included.
func treeShape(v any) (depth, nodes int) {
	switch x := v.(type) {
	case map[string]any:
		nodes = 1 + len(x)
		for _, e := range x {
			d, n := treeShape(e)
			depth, nodes = max(depth, d+1), nodes+n
		}
	case []any:
		nodes = 1
		for _, e := range x {
			d, n := treeShape(e)
			depth, nodes = max(depth, d+1), nodes+n
		}
	default:
		nodes = 1
	}
	return depth, nodes
}
