package rewrite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
)

// maxIncludeDepth is httpd's AP_MAX_INCLUDE_DEPTH.
const maxIncludeDepth = 128

// IncludePass names findings about following Include (undefined variables).
const IncludePass = "include"

// IncludeDoc explains IncludePass's findings, for `wsgifix explain include`:
// they come from reading the configuration, not from a fix pass.
const IncludeDoc = `Findings named [include] come from following Include and IncludeOptional
with --include, not from a fix pass, so there is nothing to skip or
enable. One says that an Include path uses ${VAR} that neither a Define
before it nor the environment sets: httpd would read it with the text
"${VAR}" in the path (Include then fails, IncludeOptional reads nothing),
so wsgifix does not follow it either and leaves the line alone. Set the
variable in the environment wsgifix runs in (Debian's apache2ctl reads
/etc/apache2/envvars first), or Define it in the configuration.`

// includeState is what httpd knows while reading a main config in order:
// the current ServerRoot and the variables Define has set.
type includeState struct {
	root    string
	defines map[string]string
	out     []*File
	found   []fixes.Finding
}

// loadIncludes treats each PATH as a main config and follows its Include
// and IncludeOptional directives depth first, so files come out in the
// order httpd reads them.
func (l *loader) loadIncludes(ctx context.Context, paths []string) ([]*File, []fixes.Finding) {
	var files []*File
	var found []fixes.Finding
	for _, p := range paths {
		var mains []*File
		if p == StdinPath {
			mains = []*File{{Path: StdinName, Stdin: true}}
		} else {
			mains = l.expand(p)
		}
		for _, m := range mains {
			root := l.opts.ServerRoot
			if root == "" {
				root = filepath.Dir(m.Path)
				if m.Stdin {
					root = "."
				}
			}
			st := &includeState{root: root, defines: map[string]string{}}
			l.follow(ctx, m, st, []*File{m})
			files = append(files, st.out...)
			found = append(found, st.found...)
		}
	}
	return files, found
}

// follow reads f and then, in source order, tracks ServerRoot and Define
// and loads what each Include names.
func (l *loader) follow(ctx context.Context, f *File, st *includeState, chain []*File) {
	l.read(f)
	st.out = append(st.out, f)
	if f.tree == nil {
		return
	}
	ast.Directives(f.tree, func(d *ast.Directive) {
		if ctx.Err() != nil {
			return
		}
		switch {
		case d.Is("ServerRoot") && len(d.Args()) == 1:
			if v, ok := l.expandArg(f, d, st); ok {
				st.root = v
			}
		case d.Is("Define") && len(d.Args()) == 2:
			if v, ok := l.expandArg(f, d, st); ok {
				st.defines[d.Arg(0)] = v
			}
		case d.Is("UnDefine") && len(d.Args()) == 1:
			delete(st.defines, d.Arg(0))
		case d.IsAny("Include", "IncludeOptional") && len(d.Args()) == 1:
			l.include(ctx, f, d, st, chain)
		}
	})
}

// expandArg expands the directive's last argument; an undefined variable
// becomes a finding and the directive is not acted on.
func (l *loader) expandArg(f *File, d *ast.Directive, st *includeState) (string, bool) {
	i := len(d.Args()) - 1
	v, unknown := expandVars(d.Arg(i), st.defines, l.opts.LookupEnv)
	if len(unknown) == 0 {
		return v, true
	}
	pos := d.ArgPos(i)
	for _, name := range unknown {
		st.found = append(st.found, fixes.Finding{
			File: f.Path, Pos: pos, Line: pos.Line, Col: pos.Col,
			Pass: IncludePass, Severity: fixes.Warning,
			Message: fmt.Sprintf("%s %q uses ${%s}, which neither Define nor the environment sets: left alone, not followed", d.Name(), d.Arg(i), name),
		})
	}
	return "", false
}

// include loads the files one Include directive names.
func (l *loader) include(ctx context.Context, f *File, d *ast.Directive, st *includeState, chain []*File) {
	pattern, ok := l.expandArg(f, d, st)
	if !ok {
		return
	}
	optional := d.Is("IncludeOptional")
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(st.root, pattern)
	}
	pos := d.Pos()
	fail := func(format string, args ...any) {
		addErr(f, fmt.Errorf("%s:%d:%d: %s", f.Path, pos.Line, pos.Col, fmt.Sprintf(format, args...)))
	}
	var targets []string
	if hasMeta(pattern) {
		matches, err := l.glob(pattern)
		if err != nil {
			fail("%s %q: %v", d.Name(), d.Arg(0), err)
			return
		}
		if len(matches) == 0 && !optional {
			fail("%s %q: no file matches %q (IncludeOptional would allow that)", d.Name(), d.Arg(0), pattern)
		}
		targets = matches
	} else {
		if _, err := l.opts.FS.Stat(pattern); err != nil {
			if !optional || !errors.Is(err, fs.ErrNotExist) {
				fail("%s %q: %v", d.Name(), d.Arg(0), unwrapPath(err))
			}
			return
		}
		targets = []string{pattern}
	}
	for _, t := range targets {
		fi, err := l.opts.FS.Stat(t)
		if err != nil {
			fail("%s %q: %s: %v", d.Name(), d.Arg(0), t, unwrapPath(err))
			continue
		}
		if !fi.IsDir() {
			l.includeFile(ctx, f, pos, t, st, chain)
			continue
		}
		err = l.walkDir(t, map[string]bool{}, func(string) bool { return true }, func(file string) {
			l.includeFile(ctx, f, pos, file, st, chain)
		})
		if err != nil {
			fail("%s %q: %v", d.Name(), d.Arg(0), err)
		}
	}
}

// includeFile loads one included file, refusing cycles and nesting deeper
// than httpd allows; both errors print the include chain.
func (l *loader) includeFile(ctx context.Context, from *File, pos ast.Pos, path string, st *includeState, chain []*File) {
	real, err := l.opts.FS.EvalSymlinks(path)
	if err != nil {
		addErr(from, fmt.Errorf("%s:%d:%d: %s: %v", from.Path, pos.Line, pos.Col, path, unwrapPath(err)))
		return
	}
	abs, _ := filepath.Abs(real)
	for _, c := range chain {
		if ca, _ := filepath.Abs(c.Real); ca == abs && !c.Stdin {
			addErr(from, fmt.Errorf("%s:%d:%d: include cycle: %s", from.Path, pos.Line, pos.Col, chainText(chain, path)))
			return
		}
	}
	if len(chain) > maxIncludeDepth {
		addErr(from, fmt.Errorf("%s:%d:%d: includes nested deeper than %d: %s", from.Path, pos.Line, pos.Col, maxIncludeDepth, chainText(chain, path)))
		return
	}
	if l.seen[abs] {
		return // already loaded: each file is fixed once
	}
	l.seen[abs] = true
	f := &File{Path: path, Real: real}
	l.follow(ctx, f, st, append(chain[:len(chain):len(chain)], f))
}

func chainText(chain []*File, next string) string {
	names := make([]string, 0, len(chain)+1)
	for _, c := range chain {
		names = append(names, c.Path)
	}
	return strings.Join(append(names, next), " -> ")
}

// addErr adds an error to a file's errors.
func addErr(f *File, err error) {
	var errs *multierror.Error
	if f.Err != nil {
		errs = multierror.Append(errs, f.Err)
	}
	f.Err = listErrors(multierror.Append(errs, err))
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// glob expands a pattern like httpd's Include: wildcards in any component,
// each directory's matches in byte order, and (fnmatch's FNM_PERIOD) a
// leading dot matched only by a leading dot in the pattern.
func (l *loader) glob(pattern string) ([]string, error) {
	dir, file := filepath.Split(pattern)
	dir = filepath.Clean(dir)
	dirs := []string{dir}
	if hasMeta(dir) {
		var err error
		if dirs, err = l.glob(dir); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, d := range dirs {
		if fi, err := l.opts.FS.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		entries, err := l.opts.FS.ReadDir(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d, unwrapPath(err))
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, name := range names {
			if strings.HasPrefix(name, ".") && !strings.HasPrefix(file, ".") {
				continue
			}
			ok, err := filepath.Match(file, name)
			if err != nil {
				return nil, err
			}
			if ok && !isOurs(name) {
				out = append(out, filepath.Join(d, name))
			}
		}
	}
	return out, nil
}
