package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// profileEnv names a file that gets a CPU profile of the whole run, for
// performance work (BENCHMARKS.md "Profiling"): the benchmarks measure
// the command as a process, and this profiles exactly that.
const profileEnv = "WSGIFIX_CPUPROFILE"

// startProfile starts the CPU profile profileEnv asks for, if any, and
// returns the function that ends it.
func startProfile(stderr io.Writer) (stop func()) {
	path := os.Getenv(profileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wsgifix: %s: %v\n", profileEnv, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "wsgifix: %s: %v\n", profileEnv, err)
		}
	}
}
