package rewrite

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// maxBackups bounds the numbered backup names tried.
const maxBackups = 1000

// backupName is FILE.wsgifix-bak, then FILE.wsgifix-bak.1, .2…
func backupName(target string, n int) string {
	if n == 0 {
		return target + backupSuffix
	}
	return fmt.Sprintf("%s%s.%d", target, backupSuffix, n)
}

// makeBackup keeps the original of target under the first free backup
// name and returns that name. It hard-links the original (same bytes,
// mode, owner and mtime, no copying) and copies only where links are not
// supported. A link never replaces an existing name, so an older backup is
// never overwritten.
func makeBackup(fsys FS, target string, original []byte, info fs.FileInfo) (string, error) {
	name, err := linkFree(fsys, target)
	if err == nil {
		return name, nil
	}
	if !errors.Is(err, errNoLinks) {
		return "", err
	}
	// No hard links here: copy into a temp file, then move it to a free name.
	var tmp string
	err = replaceTemp(fsys, filepath.Dir(target), original, info, func(t string) error {
		tmp = t
		name, err = linkFree(fsys, target, t)
		return err
	})
	if errors.Is(err, errNoLinks) {
		name, err = renameFree(fsys, target, tmp)
	}
	if err != nil {
		_ = fsys.Remove(tmp)
		return "", err
	}
	_ = fsys.Remove(tmp)
	return name, nil
}

var errNoLinks = errors.New("hard links not supported")

// linkFree links target (or from, when given) to the first free backup name.
func linkFree(fsys FS, target string, from ...string) (string, error) {
	src := target
	if len(from) > 0 {
		src = from[0]
	}
	for n := 0; n < maxBackups; n++ {
		name := backupName(target, n)
		err := fsys.Link(src, name)
		switch {
		case err == nil:
			return name, nil
		case errors.Is(err, fs.ErrExist):
			continue
		case errors.Is(err, fs.ErrPermission) || isNotSupported(err):
			return "", errNoLinks
		default:
			return "", fmt.Errorf("link %s: %w", name, unwrapPath(err))
		}
	}
	return "", fmt.Errorf("%s: %d backups exist already", target, maxBackups)
}

// renameFree moves tmp to the first backup name that does not exist.
func renameFree(fsys FS, target, tmp string) (string, error) {
	for n := 0; n < maxBackups; n++ {
		name := backupName(target, n)
		if _, err := fsys.Lstat(name); err == nil {
			continue
		}
		if err := fsys.Rename(tmp, name); err != nil {
			return "", fmt.Errorf("rename %s to %s: %w", tmp, name, unwrapPath(err))
		}
		return name, nil
	}
	return "", fmt.Errorf("%s: %d backups exist already", target, maxBackups)
}

// replaceTemp writes data to a new temp file in dir with info's owner and
// mode and hands its name to then; the temp file is left for the caller.
func replaceTemp(fsys FS, dir string, data []byte, info fs.FileInfo, then func(string) error) error {
	tmp, err := fsys.CreateTemp(dir, tempPrefix+"*"+tempSuffix)
	if err != nil {
		return fmt.Errorf("create temp file: %w", unwrapPath(err))
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = copyOwnerAndMode(fsys, name, info)
	}
	if err != nil {
		_ = fsys.Remove(name)
		return fmt.Errorf("write backup copy: %w", unwrapPath(err))
	}
	return then(name)
}
