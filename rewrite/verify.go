package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// VerifyError is a configtest that failed after writing; every file of the
// run has been restored.
type VerifyError struct {
	Command string
	Output  string // what the command printed (httpd's error), trimmed
	Err     error
}

func (e *VerifyError) Error() string {
	msg := fmt.Sprintf("verify: %q failed (%v); every file of the run was restored", e.Command, e.Err)
	if e.Output != "" {
		msg += ":\n" + e.Output
	}
	return msg
}

func (e *VerifyError) Unwrap() error { return e.Err }

// verify runs the configtest command line (split on blanks, no shell).
func verify(ctx context.Context, command string) error {
	argv := strings.Fields(command)
	if len(argv) == 0 {
		return &VerifyError{Command: command, Err: fmt.Errorf("empty command")}
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return &VerifyError{Command: command, Output: strings.TrimSpace(out.String()), Err: err}
	}
	return nil
}

// restore puts back the original of every file Write replaced: the backup
// is renamed back when there is one (the very original inode, mtime
// included), else the original bytes are written atomically with the old
// mode, owner and mtime.
func (r *Result) restore(fsys FS) error {
	var errs *multierror.Error
	for _, f := range r.Files {
		if !f.Written {
			continue
		}
		var err error
		if f.Backup != "" {
			err = fsys.Rename(f.Backup, f.Real)
			if err == nil {
				_ = fsys.SyncDir(dirOf(f.Real))
			}
		} else {
			err = replaceFile(fsys, f.Real, f.Before, f.snap.info, nil, true)
			if err == nil || isSyncDir(err) {
				err = fsys.Chtimes(f.Real, f.snap.info.ModTime(), f.snap.info.ModTime())
			}
		}
		if err != nil {
			err = fmt.Errorf("%s: restore failed: %w", f.Path, unwrapPath(err))
			addErr(f, err)
			errs = multierror.Append(errs, err)
			continue
		}
		f.Written, f.Backup = false, ""
		if f.Err == nil {
			f.Err = fmt.Errorf("%s: restored: configtest failed", f.Path)
		}
	}
	return listErrors(errs)
}
