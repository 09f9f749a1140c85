//go:build unix

package rewrite

import (
	"io/fs"
	"syscall"
)

// ownerOf returns the uid and gid of a file, when the platform has them.
func ownerOf(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

// identity returns what tells two files apart beyond size and mtime: the
// device and inode, which change when an editor replaces the file.
func identity(fi fs.FileInfo) [2]uint64 {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return [2]uint64{}
	}
	return [2]uint64{uint64(st.Dev), st.Ino}
}
