package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
)

// relocation moves a case's configuration into the sandbox: the web2py
// root, certificates and logs to temporary paths, and the vhost ports to
// the ports httpd listens on. It edits bytes in place, so line endings,
// case and layout stay as wsgifix wrote them.
type relocation struct {
	caseRoot, root    string      // web2py root: as the case names it, and in the sandbox
	certFile, keyFile string      // replace every SSLCertificate(Key)File argument
	logDir            string      // CustomLog/ErrorLog/TransferLog go here, by base name
	ports             map[int]int // case port -> listening port
}

var (
	certFileArg = regexp.MustCompile(`(?im)^([ \t]*SSLCertificateFile[ \t]+)("[^"\r\n]*"|[^\s"]\S*)`)
	keyFileArg  = regexp.MustCompile(`(?im)^([ \t]*SSLCertificateKeyFile[ \t]+)("[^"\r\n]*"|[^\s"]\S*)`)
	logFileArg  = regexp.MustCompile(`(?im)^([ \t]*(?:CustomLog|ErrorLog|TransferLog)[ \t]+)("[^"\r\n]*"|[^\s"]\S*)`)
	// vhostAddr matches the address of <VirtualHost> and NameVirtualHost
	// (also glued to it, as in "NameVirtualHost*:80").
	vhostAddr = regexp.MustCompile(`(\*|_default_|127\.0\.0\.1):([0-9]+)\b`)
)

func (r relocation) apply(src []byte) []byte {
	out := bytes.ReplaceAll(src, []byte(r.caseRoot), []byte(r.root))
	out = certFileArg.ReplaceAll(out, []byte("${1}"+r.certFile))
	out = keyFileArg.ReplaceAll(out, []byte("${1}"+r.keyFile))
	out = logFileArg.ReplaceAllFunc(out, func(m []byte) []byte {
		sub := logFileArg.FindSubmatch(m)
		name := path.Base(string(bytes.Trim(sub[2], `"`)))
		return append(append([]byte{}, sub[1]...), filepath.Join(r.logDir, name)...)
	})
	return vhostAddr.ReplaceAllFunc(out, func(m []byte) []byte {
		sub := vhostAddr.FindSubmatch(m)
		port, _ := strconv.Atoi(string(sub[2]))
		if to, ok := r.ports[port]; ok {
			return []byte(fmt.Sprintf("%s:%d", sub[1], to))
		}
		return m
	})
}

// copyTree copies the configuration tree src to dst: regular files through
// transform, symlinks as symlinks with the same target (so Debian's
// sites-enabled -> ../sites-available links keep working).
func copyTree(src, dst string, transform func([]byte) []byte) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, transform(b), 0o644)
	})
}

// writeCase writes a case's input files and symlinks under dir, unchanged.
func writeCase(dir string, c *testCase) error {
	for rel, data := range c.files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	for link, target := range c.spec.Symlinks {
		p := filepath.Join(dir, filepath.FromSlash(link))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
			return err
		}
	}
	return nil
}

// snapshot reads a tree: regular files by slash path, symlinks as
// "-> target".
func snapshot(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.Type()&os.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			out[rel] = "-> " + filepath.ToSlash(target)
			return err
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	return out, err
}
