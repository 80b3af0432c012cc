// Package distinct keeps the values a parser finds in one item (the links
// of a message, the host names in a file path) once each, in the order
// first seen. Most items name none or one, so the first few are compared
// one by one and a set is only built once there are many: a crafted item
// naming thousands stays linear.
package distinct

// setFrom is how many values are kept before a set is built.
const setFrom = 16

// List is the values added, without repeats. The zero List is empty and
// ready to use.
type List[T comparable] struct {
	vals []T
	seen map[T]bool // built once len(vals) reaches setFrom
}

// Has says whether v was added.
func (l *List[T]) Has(v T) bool {
	if l.seen != nil {
		return l.seen[v]
	}
	for _, x := range l.vals {
		if x == v {
			return true
		}
	}
	return false
}

// Add appends v unless it was added before; it says whether it was new.
func (l *List[T]) Add(v T) bool {
	if l.Has(v) {
		return false
	}
	l.vals = append(l.vals, v)
	switch {
	case len(l.vals) == setFrom:
		l.seen = make(map[T]bool, 2*setFrom)
		for _, x := range l.vals {
			l.seen[x] = true
		}
	case l.seen != nil:
		l.seen[v] = true
	}
	return true
}

// Values is what was added, in order; nil when nothing was.
func (l *List[T]) Values() []T { return l.vals }
