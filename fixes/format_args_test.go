package fixes

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"
)

// sprintf takes only strings, bools and numbers, so that its arguments do
// not escape (see sprintf). Every call in the package to a function of the
// package with a final ...any parameter (Report, sprintf and the helpers
// that forward to them) is checked here, by type, so a finding about an
// error or a Stringer cannot slip in as "%!v(TYPE)".
func TestReportArgsArePlain(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("github.com/wsgifix/wsgifix/fixes", fset, files, info)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || call.Ellipsis.IsValid() {
				return true // args... forwards a slice checked where it was made
			}
			sig, ok := info.Types[call.Fun].Type.(*types.Signature)
			if !ok || !sig.Variadic() || !declaredIn(call.Fun, info, pkg) {
				return true
			}
			last := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
			if !types.Identical(last, types.Universe.Lookup("any").Type()) {
				return true
			}
			checked++
			for _, arg := range call.Args[sig.Params().Len()-1:] {
				typ := info.Types[arg].Type
				// Predeclared types only: fmt would call a named type's String.
				if b, ok := types.Unalias(typ).(*types.Basic); !ok || b.Info()&(types.IsString|types.IsBoolean|types.IsNumeric) == 0 {
					t.Errorf("%s: argument %s is a %s: sprintf takes strings, bools and numbers (pass s.String() or err.Error())",
						fset.Position(arg.Pos()), types.ExprString(arg), typ)
				}
			}
			return true
		})
	}
	if checked < 50 {
		t.Fatalf("checked %d calls: the finder no longer sees the Report calls", checked)
	}
}

// declaredIn reports whether the called function or method (or the
// variable holding a func literal) is declared in pkg.
func declaredIn(fun ast.Expr, info *types.Info, pkg *types.Package) bool {
	var id *ast.Ident
	switch fun := fun.(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return false
	}
	obj := info.Uses[id]
	return obj != nil && obj.Pkg() == pkg
}
