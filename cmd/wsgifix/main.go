// Command wsgifix repairs broken Apache httpd + mod_wsgi configurations:
// dry-run diffs, in-place fixes with backups, and CI checks. See
// `wsgifix help` and the rewrite package for the engine.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
