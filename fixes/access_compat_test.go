package fixes

import (
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

// The passes explain themselves: a verb-phrase title and a doc with a
// before/after example and the policy flag.
func TestAccessPassDocs(t *testing.T) {
	for _, p := range []*Pass{StaticAlias, LocationAccess, AccessCompat} {
		if p.Title == "" || strings.ToLower(p.Title[:1]) != p.Title[:1] || strings.HasSuffix(p.Title, ".") {
			t.Errorf("%s: title %q: want a lower-case verb phrase without a final period", p.Name, p.Title)
		}
		for _, want := range []string{"\nBefore", "\nAfter", "--apache"} {
			if !strings.Contains(p.Doc, want) {
				t.Errorf("%s: doc lacks %q", p.Name, want)
			}
		}
	}
}

// With --apache 2.4, no 2.2 access directive survives access-compat
// unreported, and what it writes is valid: "Require not" only inside
// <RequireAll>/<RequireNone>, next to a positive rule.
func TestAccessCompatLeavesNoCompat(t *testing.T) {
	for _, in := range loadGoldenInputs(t, "access-compat", "location-access", "static-alias") {
		if in.opts.Apache != "2.4" {
			continue
		}
		findings := Run(in.files, in.opts, []*Pass{StaticAlias, LocationAccess, AccessCompat})
		for _, f := range in.files {
			ast.Directives(f, func(d *ast.Directive) {
				if isCompat(d) && !compatReported(findings, d) && !guardedFor22(d) {
					t.Errorf("%s: %s:%v: %q left unreported", in.name, f.Name, d.Pos(), directiveText(d))
				}
				if d.Is("Require") && strings.EqualFold(d.Arg(0), "not") && !negationAllowed(d) {
					t.Errorf("%s: %s: %q outside <RequireAll>/<RequireNone> or without a positive rule", in.name, f.Name, directiveText(d))
				}
			})
		}
	}
}

// compatReported reports whether an unfixed finding covers d's section.
func compatReported(findings []Finding, d *ast.Directive) bool {
	for p := d.Parent(); p != nil; p = p.Parent() {
		for _, n := range p.Body {
			if m, ok := n.(*ast.Directive); ok && isCompat(m) && reportedAt(findings, m) {
				return true
			}
		}
	}
	return false
}

func negationAllowed(d *ast.Directive) bool {
	p := d.Parent()
	if p.IsRoot() || !(p.Is("RequireAll") || p.Is("RequireNone")) {
		return false
	}
	for _, n := range p.Body {
		if m, ok := n.(*ast.Directive); ok && m.Is("Require") && !strings.EqualFold(m.Arg(0), "not") {
			return true
		}
		if _, ok := n.(*ast.Section); ok {
			return true
		}
	}
	return false
}

// guardedFor22 reports whether d sits in a conditional that keeps it from 2.4.
func guardedFor22(d *ast.Directive) bool {
	for p := d.Parent(); p != nil && !p.IsRoot(); p = p.Parent() {
		if ast.IsConditional(p.Name()) && guardsCompat(p) {
			return true
		}
	}
	return false
}
