package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// appMarker starts every answer of the fake app, so a response can be told
// apart from a file httpd served.
const appMarker = "wsgifix-e2e-app"

// wsgiHandler is the fake web2py entry point. It answers every URL with
// text describing where it ran; it never echoes the request body or a file.
// The secret in its first line must never reach a client: if it does,
// httpd served this source as a file.
const wsgiHandler = `# fake web2py wsgihandler.py for the wsgifix e2e suite: %s
import os


def application(environ, start_response):
    lines = [
        "` + appMarker + `",
        "process_group=" + environ.get("mod_wsgi.process_group", ""),
        "application_group=" + environ.get("mod_wsgi.application_group", ""),
        "scheme=" + environ.get("wsgi.url_scheme", ""),
        "port=" + environ.get("SERVER_PORT", ""),
        "pid=%%d" %% os.getpid(),
    ]
    body = ("\n".join(lines) + "\n").encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
`

// web2pyTree is the fake web2py installation of one case.
type web2pyTree struct {
	root   string
	secret string // in every file that must not be served
	css    []byte // applications/welcome/static/css/x.css
}

// makeWeb2pyTree writes the fake tree under root, readable by www-data
// (directories 0755, files 0644). The static file exists only at its plain
// path: the versioned URL must reach it through the AliasMatch.
func makeWeb2pyTree(root string) (*web2pyTree, error) {
	w := &web2pyTree{root: root, secret: "WSGIFIX-SECRET-" + randomHex(8)}
	w.css = []byte("/* static css served by httpd " + randomHex(4) + " */\nbody { margin: 0 }\n")
	files := map[string][]byte{
		"wsgihandler.py":                                []byte(fmt.Sprintf(wsgiHandler, w.secret)),
		"parameters_443.py":                             []byte(fmt.Sprintf("password = \"pbkdf2(1000,20,sha512)$%s\"\n", w.secret)),
		"applications/welcome/models/db.py":             []byte("# " + w.secret + "\ndb = DAL('sqlite://storage.sqlite')\n"),
		"applications/welcome/controllers/default.py":   []byte("# " + w.secret + "\ndef index(): return dict()\n"),
		"applications/welcome/databases/storage.sqlite": []byte("SQLite format 3\x00" + w.secret + "\x00"),
		"applications/admin/models/db.py":               []byte("# " + w.secret + "\n"),
		"applications/admin/controllers/default.py":     []byte("# " + w.secret + "\n"),
		"applications/welcome/static/css/x.css":         w.css,
	}
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
