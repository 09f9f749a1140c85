package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bookExample is the broken HTTP+HTTPS web2py example every host gets.
const bookExample = "../../testdata/examples/book-http-https.conf"

// sslMarker starts the :443 half of the example, where Debian would start
// a second site file.
const sslMarker = "### for requests via SSL"

// conflictingDaemons defines one daemon name twice with different
// options: an httpd error that the default policy (report) leaves alone.
const conflictingDaemons = `WSGIDaemonProcess web2py processes=2
<VirtualHost *:80>
ServerName a.example.org
WSGIDaemonProcess web2py processes=3
</VirtualHost>
`

func readExample(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(bookExample)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(sslMarker)) {
		t.Fatalf("%s no longer holds %q, where the Debian layout splits it", bookExample, sslMarker)
	}
	return data
}

// writeSingle puts the example in dir/conf/web2py.conf and returns the
// directory, which is what the module is pointed at.
func writeSingle(t *testing.T, dir string, example []byte) string {
	t.Helper()
	conf := filepath.Join(dir, "conf")
	writeFile(t, filepath.Join(conf, "web2py.conf"), example)
	return conf
}

// writeDebian lays the example out as Debian does: the :80 and :443
// vhosts in two files in sites-available, enabled by relative symlinks in
// sites-enabled. It returns sites-enabled, the module's path.
func writeDebian(t *testing.T, dir string, example []byte) string {
	t.Helper()
	i := bytes.Index(example, []byte(sslMarker))
	avail := filepath.Join(dir, "sites-available")
	enabled := filepath.Join(dir, "sites-enabled")
	writeFile(t, filepath.Join(avail, "web2py.conf"), example[:i])
	writeFile(t, filepath.Join(avail, "web2py-ssl.conf"), example[i:])
	if err := os.MkdirAll(enabled, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"web2py.conf", "web2py-ssl.conf"} {
		if err := os.Symlink(filepath.Join("..", "sites-available", name), filepath.Join(enabled, name)); err != nil {
			t.Fatal(err)
		}
	}
	return enabled
}

// writeDebianMain is writeDebian plus a main config that includes the
// enabled sites, and returns the main config.
func writeDebianMain(t *testing.T, dir string, example []byte) string {
	t.Helper()
	writeDebian(t, dir, example)
	main := filepath.Join(dir, "apache2.conf")
	writeFile(t, main, []byte("# main config\nIncludeOptional sites-enabled/*.conf\n"))
	return main
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshotTree records every entry below root: symlinks as "-> target",
// files by content, so that "nothing was written" is one comparison.
func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			snap[rel] = "-> " + target
			return err
		case d.IsDir():
			return nil
		}
		data, err := os.ReadFile(path)
		snap[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// describeTree renders a snapshot for a diff: names, symlink targets and
// file contents.
func describeTree(snap map[string]string) string {
	var sb strings.Builder
	for _, name := range sortedKeys(snap) {
		sb.WriteString("== " + name + "\n" + snap[name])
		if !strings.HasSuffix(snap[name], "\n") {
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// backupsBelow lists the *.wsgifix-bak* files below root.
func backupsBelow(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	for name := range snapshotTree(t, root) {
		if strings.Contains(name, ".wsgifix-bak") {
			out = append(out, name)
		}
	}
	return out
}
