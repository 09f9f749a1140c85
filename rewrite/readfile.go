package rewrite

import (
	"io"
	"os"
)

// osReadFile is os.ReadFile, but it reads a big regular file as two halves
// at once. Reading megabytes from the page cache is mostly faulting in the
// fresh memory they are read into (10 ms for a 10k-pair config), and two
// threads fault in their halves side by side.
func osReadFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return io.ReadAll(f) // a pipe or device cannot be read at offsets
	}
	size := int(info.Size())
	buf := make([]byte, 0, size+512) // room to see EOF without growing
	if info.Size() < parallelReadSize {
		return readOn(f, buf)
	}
	buf = buf[:size]
	half := size / 2
	var tailN int
	var tailErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		tailN, tailErr = f.ReadAt(buf[half:], int64(half))
	}()
	headN, headErr := f.ReadAt(buf[:half], 0)
	<-done
	if headN < half || tailN < size-half {
		// An error, or the file shrank since Stat: read it again, whole.
		for _, err := range []error{headErr, tailErr} {
			if err != nil && err != io.EOF {
				return nil, err
			}
		}
		return readOn(f, buf[:0])
	}
	return readOn(f, buf) // it may have grown since Stat
}

// readOn appends what f holds from offset len(buf) to its end to buf.
func readOn(f *os.File, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.ReadAt(buf[len(buf):cap(buf)], int64(len(buf)))
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// parallelReadSize is the size from which osReadFile reads in two halves
// (a variable for tests).
var parallelReadSize int64 = 1 << 20
