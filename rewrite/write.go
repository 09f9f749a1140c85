package rewrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"

	"github.com/hashicorp/go-multierror"
)

// Names this package gives the files it makes. Neither ends in ".conf",
// so an Include glob such as sites-enabled/*.conf never loads them; temp
// files also start with a dot, which httpd's wildcards skip.
const (
	backupSuffix = ".wsgifix-bak"
	tempPrefix   = ".wsgifix-"
	tempSuffix   = ".tmp"
)

// writersPerCPU is the default number of parallel writers per CPU.
const writersPerCPU = 4

// ErrChangedOnDisk means a file changed between Run reading it and Write
// replacing it; it is refused so no one's edit is lost.
var ErrChangedOnDisk = errors.New("changed on disk since it was read; not written")

// WriteOptions configure Result.Write.
type WriteOptions struct {
	// Backup keeps the original as FILE.wsgifix-bak (FILE.wsgifix-bak.1…
	// when that exists: a backup is never overwritten).
	Backup bool
	// Verify is a configtest command line (e.g. "apachectl -t") run after
	// writing; when it fails every file of the run is restored.
	Verify string
	// FS is the file system; nil means the one Run used.
	FS FS
	// Jobs bounds parallel writes; <= 0 means writersPerCPU per CPU, since
	// writing waits on fsync far more than it computes.
	Jobs int
	// Progress, if set, is called (from several goroutines) as files are written.
	Progress func(done, total int)
}

// Write replaces every changed file that has no error, in place and
// atomically: temp file in the same directory, fsync, mode and owner
// copied, rename over the real file (symlinks are followed and kept),
// directory fsync. Unchanged files are not touched. A failure leaves that
// file's original as it was, with no temp file, and the others go on; the
// errors come back as one *multierror.Error (also set on each File.Err).
// With Verify, a failing configtest restores every written file and the
// error is a *VerifyError.
func (r *Result) Write(ctx context.Context, opts WriteOptions) error {
	if opts.FS == nil {
		opts.FS = r.opts.FS
		if opts.FS == nil {
			opts.FS = OSFS{}
		}
	}
	var todo []*File
	for _, f := range r.Files {
		if f.Changed && f.After == nil {
			return fmt.Errorf("%s: the run kept no fixed text (Options.DiffOut): nothing written", f.Path)
		}
		if f.Changed && f.Err == nil && !f.Stdin {
			todo = append(todo, f)
		}
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = writersPerCPU * runtime.NumCPU()
	}
	forEach(len(todo), jobs, opts.Progress, func(i int) {
		f := todo[i]
		if err := ctx.Err(); err != nil {
			f.Err = fmt.Errorf("%s: %w", f.Path, err)
			return
		}
		if err := writeFile(opts.FS, f, opts.Backup); err != nil {
			f.Err = err
		}
	})
	syncDirs(opts.FS, todo)
	var errs *multierror.Error
	for _, f := range todo {
		if f.Err != nil {
			errs = multierror.Append(errs, f.Err)
		}
	}
	if opts.Verify != "" && r.anyWritten() {
		if err := verify(ctx, opts.Verify); err != nil {
			errs = multierror.Append(errs, err)
			if rerr := r.restore(opts.FS); rerr != nil {
				errs = multierror.Append(errs, rerr)
			}
		}
	}
	return listErrors(errs)
}

func (r *Result) anyWritten() bool {
	for _, f := range r.Files {
		if f.Written {
			return true
		}
	}
	return false
}

// writeFile replaces one file, with a backup first when asked.
func writeFile(fsys FS, f *File, backup bool) error {
	// The lost-update check runs once, right before the rename; a backup
	// made of a file that then turns out changed is removed again.
	info, err := fsys.Stat(f.Real)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, unwrapPath(err))
	}
	if backup {
		if f.Backup, err = makeBackup(fsys, f.Real, f.Before, info); err != nil {
			return fmt.Errorf("%s: backup: %w", f.Path, err)
		}
	}
	err = replaceFile(fsys, f.Real, f.After, info, func() error { return checkUnchanged(fsys, f) }, false)
	if err != nil {
		if f.Backup != "" {
			_ = fsys.Remove(f.Backup)
			f.Backup = ""
		}
		if errors.Is(err, ErrChangedOnDisk) {
			return err
		}
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	f.Written = true
	return nil
}

// checkUnchanged refuses a file whose size, mtime, inode or bytes differ
// from what Run read.
func checkUnchanged(fsys FS, f *File) error {
	changed := fmt.Errorf("%s: %w", f.Path, ErrChangedOnDisk)
	now, err := fsys.Stat(f.Real)
	if err != nil {
		return fmt.Errorf("%s: %w (%v)", f.Path, ErrChangedOnDisk, unwrapPath(err))
	}
	was := f.snap.info
	if was == nil || now.Size() != was.Size() || !now.ModTime().Equal(was.ModTime()) || identity(now) != identity(was) {
		return changed
	}
	cur, err := fsys.ReadFile(f.Real)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, unwrapPath(err))
	}
	if !bytes.Equal(cur, f.Before) {
		return changed
	}
	return nil
}

// errSyncDir marks a failed directory fsync: the file was already renamed
// into place, so it counts as written.
var errSyncDir = errors.New("sync directory")

// replaceFile writes data to a temp file next to target and renames it over
// target, keeping target's mode and owner. check runs just before the
// rename. On failure before the rename the temp file is removed and target
// is untouched.
//
// With syncDir the directory is fsynced too; Write instead syncs each
// directory once after all its files are renamed (10,000 files in one
// directory would otherwise cost 10,000 directory syncs).
func replaceFile(fsys FS, target string, data []byte, info fs.FileInfo, check func() error, syncDir bool) (err error) {
	dir := filepath.Dir(target)
	tmp, err := fsys.CreateTemp(dir, tempPrefix+"*"+tempSuffix)
	if err != nil {
		return fmt.Errorf("create temp file: %w", unwrapPath(err))
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			_ = fsys.Remove(name)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", name, unwrapPath(err))
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("sync %s: %w", name, unwrapPath(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, unwrapPath(err))
	}
	if err = copyOwnerAndMode(fsys, name, info); err != nil {
		return err
	}
	if check != nil {
		if err = check(); err != nil {
			return err
		}
	}
	if err = fsys.Rename(name, target); err != nil {
		return fmt.Errorf("rename %s to %s: %w", name, target, unwrapPath(err))
	}
	if !syncDir {
		return nil
	}
	if serr := fsys.SyncDir(dir); serr != nil {
		return fmt.Errorf("%w %s: %v", errSyncDir, dir, unwrapPath(serr))
	}
	return nil
}

// copyOwnerAndMode gives name the owner and permission bits of info. The
// owner goes first because chown clears setuid and setgid bits.
func copyOwnerAndMode(fsys FS, name string, info fs.FileInfo) error {
	if uid, gid, ok := ownerOf(info); ok {
		cur, err := fsys.Stat(name)
		if err != nil {
			return fmt.Errorf("stat %s: %w", name, unwrapPath(err))
		}
		if cu, cg, _ := ownerOf(cur); cu != uid || cg != gid {
			if err := fsys.Chown(name, uid, gid); err != nil {
				return fmt.Errorf("keep owner %d:%d: %w", uid, gid, unwrapPath(err))
			}
		}
	}
	mode := info.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	if err := fsys.Chmod(name, mode); err != nil {
		return fmt.Errorf("keep mode %v: %w", mode, unwrapPath(err))
	}
	return nil
}

func isSyncDir(err error) bool { return errors.Is(err, errSyncDir) }

// syncDirs makes the renames durable: each directory that received a file
// (and its backup) is fsynced once. A failure is reported on every file
// written there; the files themselves are in place.
func syncDirs(fsys FS, files []*File) {
	byDir := map[string][]*File{}
	var order []string
	for _, f := range files {
		if !f.Written {
			continue
		}
		d := dirOf(f.Real)
		if byDir[d] == nil {
			order = append(order, d)
		}
		byDir[d] = append(byDir[d], f)
	}
	for _, d := range order {
		if err := fsys.SyncDir(d); err != nil {
			for _, f := range byDir[d] {
				// Say that the file was replaced: exit 2 otherwise reads
				// as "nothing written".
				addErr(f, fmt.Errorf("%s: %w %s: %v (the file was replaced; the change may not survive a crash)", f.Path, errSyncDir, d, unwrapPath(err)))
			}
		}
	}
}

func dirOf(path string) string { return filepath.Dir(path) }
