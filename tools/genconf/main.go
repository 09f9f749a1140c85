// Command genconf writes N broken HTTP/HTTPS vhost pairs as DIR/httpd.conf
// and DIR/sites/siteI.conf, for benchmarks and batch tests.
//
//	go run ./tools/genconf N DIR [--big-only]
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/wsgifix/wsgifix/internal/genconf"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: genconf N DIR [--big-only]")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "genconf: invalid N %q\n", os.Args[1])
		os.Exit(2)
	}
	dir := os.Args[2]
	if len(os.Args) > 3 && os.Args[3] == "--big-only" {
		err = os.MkdirAll(dir, 0o755)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "httpd.conf"), genconf.Bytes(n), 0o644)
		}
	} else {
		err = genconf.WriteTree(dir, n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genconf:", err)
		os.Exit(1)
	}
}
