package rewrite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// loader reads and parses the files of a run, each real file once.
type loader struct {
	opts Options
	seen map[string]bool // real paths already loaded
	// lone: the run has one file, which read leaves unparsed: a big one
	// is cut into parts that are parsed one by one (see Result.fix).
	lone bool

	wdDir  string // see abs
	wdErr  error
	wdDone bool
}

// abs is filepath.Abs with the working directory looked up once: Getwd
// costs two stat calls, and a directory PATH can hold thousands of files.
func (l *loader) abs(path string) (string, error) {
	if filepath.IsAbs(path) {
		return filepath.Clean(path), nil
	}
	if !l.wdDone {
		l.wdDir, l.wdErr = os.Getwd()
		l.wdDone = true
	}
	if l.wdErr != nil {
		return "", l.wdErr
	}
	return filepath.Join(l.wdDir, path), nil
}

// loadPaths expands the PATHs (directories to every *.conf below them) and
// reads and parses the files in parallel, in load order.
func (l *loader) loadPaths(ctx context.Context, paths []string) []*File {
	var files []*File
	for _, p := range paths {
		if p == StdinPath {
			files = append(files, &File{Path: StdinName, Stdin: true})
			continue
		}
		files = append(files, l.expand(p)...)
	}
	l.lone = len(files) == 1
	forEach(len(files), l.opts.Jobs, l.opts.Progress, func(i int) {
		if ctx.Err() == nil {
			l.read(files[i])
		}
	})
	return files
}

// expand returns the file p, or every *.conf below the directory p in
// httpd's order, with symlinks followed and duplicates dropped.
func (l *loader) expand(p string) []*File {
	fi, err := l.opts.FS.Stat(p)
	if err != nil {
		return []*File{{Path: p, Err: fmt.Errorf("%s: %w", p, unwrapPath(err))}}
	}
	if !fi.IsDir() {
		return l.once(p)
	}
	var out []*File
	walkErr := l.walkDir(p, map[string]bool{}, func(name string) bool {
		return strings.HasSuffix(name, ".conf")
	}, func(file string) {
		out = append(out, l.once(file)...)
	})
	if walkErr != nil {
		out = append(out, &File{Path: p, Err: walkErr})
	}
	return out
}

// once returns a File for path unless its real file was already taken.
func (l *loader) once(path string) []*File {
	real, err := l.opts.FS.EvalSymlinks(path)
	if err != nil {
		return []*File{{Path: path, Err: fmt.Errorf("%s: %w", path, unwrapPath(err))}}
	}
	abs, err := l.abs(real)
	if err != nil {
		abs = real
	}
	if l.seen[abs] {
		return nil
	}
	l.seen[abs] = true
	return []*File{{Path: path, Real: real}}
}

// walkDir calls fn for every file below dir whose base name keep accepts,
// each directory's entries in byte order and subdirectories where they sort,
// as httpd reads an included directory. Symlinks are followed; a directory
// already on the current path (a symlink loop) is skipped.
func (l *loader) walkDir(dir string, onPath map[string]bool, keep func(string) bool, fn func(string)) error {
	real, err := l.opts.FS.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	if onPath[real] {
		return nil
	}
	onPath[real] = true
	defer delete(onPath, real)
	entries, err := l.opts.FS.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		if isOurs(name) {
			continue // our temp files and backups are never configuration
		}
		p := filepath.Join(dir, name)
		fi, err := l.opts.FS.Stat(p)
		if err != nil {
			// A dangling or looping symlink is that entry's error (fn
			// reports it), not the end of the walk: the rest is still read.
			if keep(name) {
				fn(p)
			}
			continue
		}
		if fi.IsDir() {
			if err := l.walkDir(p, onPath, keep, fn); err != nil {
				return err
			}
			continue
		}
		if keep(name) {
			fn(p)
		}
	}
	return nil
}

// isOurs reports whether a directory entry is a temp file or backup this
// tool made.
func isOurs(name string) bool {
	return strings.Contains(name, backupSuffix) || (strings.HasPrefix(name, tempPrefix) && strings.HasSuffix(name, tempSuffix))
}

// read loads and parses one file, recording what it saw for the lost-update
// check.
func (l *loader) read(f *File) {
	if f.Err != nil {
		return
	}
	var src []byte
	var err error
	if f.Stdin {
		if l.opts.Stdin == nil {
			f.Err = fmt.Errorf("%s: no standard input", f.Path)
			return
		}
		src, err = io.ReadAll(io.LimitReader(l.opts.Stdin, readLimit+1))
	} else {
		f.snap.info, err = l.opts.FS.Stat(f.Real)
		if err == nil {
			err = checkReadable(f.snap.info)
		}
		if err == nil {
			src, err = l.opts.FS.ReadFile(f.Real)
		}
	}
	if err == nil && int64(len(src)) > readLimit {
		err = tooLarge() // grew after Stat, or stdin
	}
	if err != nil {
		f.Err = fmt.Errorf("%s: %w", f.Path, unwrapPath(err))
		return
	}
	f.Before = src
	if l.lone {
		f.unparsed = true
		return
	}
	f.parse()
}

// parse parses the file's text into its tree.
func (f *File) parse() {
	f.unparsed = false
	tree, err := ast.Parse(f.Path, f.Before)
	if err != nil {
		f.Err = err // an *ast.Error names file:line:col
		return
	}
	f.tree = tree
}

// unwrapPath drops the *fs.PathError wrapper (its path may be the resolved
// one) so that messages name the file once, as the user wrote it.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// MaxFileSize is the largest file Run reads (256 MiB): far above any real
// configuration (10,000 vhost pairs are 13.6 MB), low enough that a disk
// image or log that happens to be named *.conf cannot exhaust memory.
const MaxFileSize = 256 << 20

// readLimit is MaxFileSize; tests lower it to reach the limit cheaply.
var readLimit int64 = MaxFileSize

// Errors for files Run refuses to read; File.Err wraps them.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("file too large")
)

// checkReadable refuses what is not a regular file (a FIFO would block the
// read forever, /dev/zero never ends) and files over MaxFileSize, before a
// byte is read.
func checkReadable(fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w (%s); not read", ErrNotRegular, fileKind(fi.Mode()))
	}
	if fi.Size() > readLimit {
		return tooLarge()
	}
	return nil
}

func tooLarge() error {
	return fmt.Errorf("%w (over %d MiB); not read", ErrTooLarge, readLimit>>20)
}

// fileKind names a non-regular file type for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m.IsDir():
		return "directory"
	}
	return "mode " + m.Type().String()
}
