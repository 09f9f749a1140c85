package ast

// A Maker makes new nodes in the memory of a NodePool, which the pool
// reuses for the next part once it is Reset: the passes build tens of
// thousands of blocks in the parts of a big file, and made in fresh memory
// each 4 KiB of them costs a page fault. The zero Maker makes nodes in
// fresh memory, as NewSection and NewDirective do. A Maker is for one
// goroutine at a time, and the nodes it made are invalid once its pool is
// Reset.
type Maker struct{ m *made }

// made is the memory a pool's Maker hands out.
type made struct {
	sections slab[newSection]
	tiny     slab[tinyDirective]
	short    slab[shortDirective]
	dirs     slab[Directive]
	text     arena[byte]
}

func (m *made) reset() {
	m.sections.reset()
	m.tiny.reset()
	m.short.reset()
	m.dirs.reset()
	m.text.reset()
}

// Maker returns the Maker of p's memory.
func (p *NodePool) Maker() Maker { return Maker{&p.made} }

// NewDirective is the package's NewDirective, made in m's memory.
func (m Maker) NewDirective(name string, values ...string) *Directive {
	return m.newLine(nil, nil, "", name, values, 0, false, "\n")
}

// NewDirectiveRaw is the package's NewDirectiveRaw, made in m's memory.
func (m Maker) NewDirectiveRaw(name string, tokens ...string) *Directive {
	return m.newLine(nil, nil, "", name, tokens, 0, true, "\n")
}

// NewSection is the package's NewSection, made in m's memory.
func (m Maker) NewSection(name string, values []string, body ...Node) *Section {
	var x *newSection
	if m.m != nil {
		x = m.m.sections.next()
	} else {
		x = new(newSection)
	}
	s := &x.s
	s.Open = m.newLine(&x.open, x.openText[:], "<", name, values, '"', false, ">\n")
	s.Close = m.newLine(&x.close, x.closeText[:], "</", name, nil, 0, true, ">\n")
	s.Open.parent, s.Close.parent = s, s
	switch {
	case len(body) > len(x.body):
		s.Body = make([]Node, 0, len(body))
	case len(body) > 0:
		s.Body = x.body[:0]
	}
	for _, n := range body {
		s.add(n)
	}
	return s
}

// directiveBuffer returns a Directive and a buffer of size bytes for its
// text, preceded by indentRoom bytes of room (roomBefore): d and buf when
// d is given (buf only if it is long enough), else new ones. A short
// line's text shares its Directive's memory.
func (m Maker) directiveBuffer(size int, d *Directive, buf []byte) (*Directive, []byte) {
	need := indentRoom + size
	switch {
	case d != nil && need <= len(buf):
		return d, buf[indentRoom:need]
	case d != nil:
	case need <= len(tinyDirective{}.buf):
		var x *tinyDirective
		if m.m != nil {
			x = m.m.tiny.next()
		} else {
			x = new(tinyDirective)
		}
		return &x.d, x.buf[indentRoom:need]
	case need <= len(shortDirective{}.buf):
		var x *shortDirective
		if m.m != nil {
			x = m.m.short.next()
		} else {
			x = new(shortDirective)
		}
		return &x.d, x.buf[indentRoom:need]
	case m.m != nil:
		d = m.m.dirs.next()
	default:
		d = new(Directive)
	}
	if m.m != nil {
		return d, m.m.text.make(need, 0, textChunk)[indentRoom:]
	}
	return d, make([]byte, need)[indentRoom:]
}

// textChunk is the largest chunk of new lines' text.
const textChunk = 64 << 10
