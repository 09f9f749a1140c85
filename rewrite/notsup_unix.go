//go:build unix

package rewrite

import (
	"errors"
	"syscall"
)

// isNotSupported reports errors of file systems without hard links.
func isNotSupported(err error) bool {
	return errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EMLINK)
}
