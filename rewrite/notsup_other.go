//go:build !unix

package rewrite

import "errors"

func isNotSupported(err error) bool { return errors.Is(err, errors.ErrUnsupported) }
