// Command wsgifix repairs broken Apache httpd + mod_wsgi configurations:
// dry-run diffs, in-place fixes with backups, and CI checks. See
// `wsgifix help` and the rewrite package for the engine.
package main

import "os"

func main() { os.Exit(runMain()) }

// runMain is the process: the command, profiled when asked.
func runMain() int {
	stop := startProfile(os.Stderr)
	defer stop()
	return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
