package ast

// Inspect visits the nodes of f in source order, depth first. A Section is
// visited before its body, and returning false for it skips the body; for
// other nodes the result is ignored. Tags are not visited as separate nodes.
// It uses an explicit stack, so nesting depth is not limited by the Go stack.
func Inspect(f *File, fn func(Node) bool) {
	InspectSection(f.Root, fn)
}

// InspectSection is Inspect over the body of s.
func InspectSection(s *Section, fn func(Node) bool) {
	type frame struct {
		body []Node
		i    int
	}
	var room [8]frame // on the stack: configs nest a few levels deep
	stack := append(room[:0], frame{s.Body, 0})
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i >= len(top.body) {
			stack = stack[:len(stack)-1]
			continue
		}
		n := top.body[top.i]
		top.i++
		if fn(n) {
			if sub, ok := n.(*Section); ok {
				stack = append(stack, frame{sub.Body, 0})
			}
		}
	}
}

// Directives calls fn for every plain directive in f, in source order.
// Passes walk whole files this way many times, so it has its own loop
// rather than a callback through Inspect.
func Directives(f *File, fn func(*Directive)) {
	type frame struct {
		body []Node
		i    int
	}
	var room [8]frame
	stack := append(room[:0], frame{f.Root.Body, 0})
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i >= len(top.body) {
			stack = stack[:len(stack)-1]
			continue
		}
		n := top.body[top.i]
		top.i++
		switch n := n.(type) {
		case *Directive:
			if n.kind == Plain {
				fn(n)
			}
		case *Section:
			stack = append(stack, frame{n.Body, 0})
		}
	}
}

// Sections calls fn for every section in f, outer before inner.
func Sections(f *File, fn func(*Section)) {
	eachSection(f.Root, func(s *Section) bool { fn(s); return true })
}

// Enclosing returns the innermost section around n named name (case
// insensitive), or nil.
func Enclosing(n Node, name string) *Section {
	for p := n.Parent(); p != nil; p = p.parent {
		if p.Is(name) {
			return p
		}
	}
	return nil
}

// Depth is the number of sections around n (0 at top level).
func Depth(n Node) int {
	d := 0
	for p := n.Parent(); p != nil && !p.IsRoot(); p = p.parent {
		d++
	}
	return d
}

// eachSection calls fn for every section below s in source order (outer
// before inner) until fn returns false. Only section bodies are walked.
func eachSection(s *Section, fn func(*Section) bool) {
	type frame struct {
		body []Node
		i    int
	}
	stack := make([]frame, 1, 8)
	stack[0] = frame{s.Body, 0}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i >= len(top.body) {
			stack = stack[:len(stack)-1]
			continue
		}
		sub, ok := top.body[top.i].(*Section)
		top.i++
		if ok {
			if !fn(sub) {
				return
			}
			stack = append(stack, frame{sub.Body, 0})
		}
	}
}
