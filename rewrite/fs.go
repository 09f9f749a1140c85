package rewrite

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// FS is every file-system call the engine makes, so that tests (and a
// reliability harness) can inject faults such as ENOSPC, EACCES or a failed
// rename. OSFS is the real implementation.
type FS interface {
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Lstat(name string) (fs.FileInfo, error)
	Stat(name string) (fs.FileInfo, error)
	EvalSymlinks(name string) (string, error)
	// CreateTemp creates a new file in dir, as os.CreateTemp does.
	CreateTemp(dir, pattern string) (TempFile, error)
	Chmod(name string, mode fs.FileMode) error
	Chown(name string, uid, gid int) error
	Chtimes(name string, atime, mtime time.Time) error
	// Link makes newname a hard link to oldname; it fails when newname
	// exists, which is what keeps backups from being overwritten.
	Link(oldname, newname string) error
	Rename(oldname, newname string) error
	Remove(name string) error
	// SyncDir makes a directory's entries (a rename) durable.
	SyncDir(name string) error
}

// TempFile is an open temporary file.
type TempFile interface {
	Name() string
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

// OSFS is the operating system's file system.
type OSFS struct{}

var _ FS = OSFS{}

func (OSFS) ReadFile(name string) ([]byte, error)       { return osReadFile(name) }
func (OSFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (OSFS) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (OSFS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (OSFS) EvalSymlinks(name string) (string, error)   { return filepath.EvalSymlinks(name) }
func (OSFS) CreateTemp(dir, pattern string) (TempFile, error) {
	return os.CreateTemp(dir, pattern)
}
func (OSFS) Chmod(name string, mode fs.FileMode) error { return os.Chmod(name, mode) }
func (OSFS) Chown(name string, uid, gid int) error     { return os.Chown(name, uid, gid) }
func (OSFS) Chtimes(name string, atime, mtime time.Time) error {
	return os.Chtimes(name, atime, mtime)
}
func (OSFS) Link(oldname, newname string) error   { return os.Link(oldname, newname) }
func (OSFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }
func (OSFS) Remove(name string) error             { return os.Remove(name) }
func (OSFS) SyncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
