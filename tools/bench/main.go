// Command bench measures wsgifix against reference tools on the same input,
// in one run on one machine, and prints ratios (SPEC.md "Performance
// targets"). It is what `make bench` runs; BENCHMARKS.md records its output.
//
//	go run ./tools/bench [-wsgifix BIN] [-augeas] [-runs N] [-dir DIR]
//
// Every measurement is the median wall time of N runs of a whole process
// (or, for the in-process round trip, of N parse+print cycles), with its
// stdout drained through a pipe so that no tool can take a /dev/null
// shortcut. Peak RSS comes from the kernel's rusage of the child.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

type sample struct {
	wall time.Duration
	rss  int64 // KiB
	exit int
}

func main() {
	bin := flag.String("wsgifix", "", "wsgifix binary (default: build one)")
	withAug := flag.Bool("augeas", true, "also time augtool (slow: about a minute)")
	runs := flag.Int("runs", 5, "runs per measurement (median)")
	dir := flag.String("dir", "", "work directory (default: a temp dir)")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "wsgifix-bench-")
		check(err)
		defer os.RemoveAll(d)
		*dir = d
	}
	if *bin == "" {
		*bin = filepath.Join(*dir, "wsgifix")
		run("go", "build", "-o", *bin, "./cmd/wsgifix")
	}

	fmt.Printf("# wsgifix benchmark, %s, %d runs each (median)\n", time.Now().UTC().Format("2006-01-02"), *runs)
	fmt.Printf("# machine: %s\n\n", machine())

	big10 := write(*dir, "pairs10k.conf", genconf.Bytes(10000))
	big100 := write(*dir, "pairs100k.conf", genconf.Bytes(100000))
	size10 := fileSize(big10)

	cat := median(*runs, func() sample { return child("cat", big10) })
	rt := median(*runs, func() sample { return roundTrip(big10) })
	diff10 := median(*runs, func() sample { return child(*bin, "diff", big10) })
	diff100 := median(max(1, *runs/2), func() sample { return child(*bin, "diff", big100) })

	fmt.Printf("input: 10k pairs = %.1f MB, %d lines; 100k pairs = %.1f MB\n\n",
		float64(size10)/1e6, lines(big10), float64(fileSize(big100))/1e6)
	fmt.Printf("| measurement | time | peak RSS | ratio | target |\n|---|---|---|---|---|\n")
	fmt.Printf("| cat (10k) | %s | %s | 1× | reference |\n", ms(cat.wall), mb(cat.rss))
	fmt.Printf("| parse+print round trip in process (10k) | %s | — | %.1f× cat | ≤ 5× cat |\n", ms(rt.wall), ratio(rt.wall, cat.wall))
	fmt.Printf("| wsgifix diff (10k, all passes + diff) | %s | %s (%.1f× input) | %.1f× cat | ≤ 0.5 s, RSS ≤ 8× input |\n",
		ms(diff10.wall), mb(diff10.rss), float64(diff10.rss*1024)/float64(size10), ratio(diff10.wall, cat.wall))
	fmt.Printf("| wsgifix diff (100k) | %s | %s | %.1f× the 10k time | ≤ 11× |\n", ms(diff100.wall), mb(diff100.rss), ratio(diff100.wall, diff10.wall))
	if diff10.exit != 1 || diff100.exit != 1 {
		fmt.Printf("\nWARNING: wsgifix diff exited %d/%d, want 1 (changes pending)\n", diff10.exit, diff100.exit)
	}

	if *withAug {
		if _, err := exec.LookPath("augtool"); err != nil {
			fmt.Println("| augtool | not installed (apt-get install augeas-tools) | | | |")
		} else {
			valid := write(*dir, "valid10k.conf", bytes.ReplaceAll(genconf.Bytes(10000),
				[]byte("    </Location>\n    <Location \"/\">"), []byte("    </LocationMatch>\n    <Location \"/\">")))
			aug := child("augtool", "-L", "-r", "/", "--transform", "Httpd.lns incl "+valid,
				"match", "/files"+valid+"/VirtualHost")
			fmt.Printf("| augtool parse (valid 10k variant, 1 run) | %s | %s | wsgifix diff is %.0f× faster | ≥ 150× |\n",
				ms(aug.wall), mb(aug.rss), ratio(aug.wall, diff10.wall))
		}
	}

	tree := filepath.Join(*dir, "tree")
	check(genconf.WriteTree(tree, 10000))
	os.Remove(filepath.Join(tree, "httpd.conf"))
	fix := child(*bin, "fix", filepath.Join(tree, "sites"))
	backups, _ := filepath.Glob(filepath.Join(tree, "sites", "*.wsgifix-bak"))
	fmt.Printf("| wsgifix fix, 10,000 files with backups | %s | %s | %d backups | ≤ 3 s |\n", ms(fix.wall), mb(fix.rss), len(backups))
}

// roundTrip times one in-process parse+print of the file, reading it too.
func roundTrip(path string) sample {
	start := time.Now()
	src, err := os.ReadFile(path)
	check(err)
	f, err := ast.Parse(path, src)
	check(err)
	n, _ := io.Copy(io.Discard, bytes.NewReader(ast.Print(f)))
	if n != int64(len(src)) {
		panic("round trip lost bytes")
	}
	return sample{wall: time.Since(start)}
}

func child(name string, args ...string) sample {
	cmd := exec.Command(name, args...)
	out, err := cmd.StdoutPipe()
	check(err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	check(cmd.Start())
	io.Copy(io.Discard, out)
	err = cmd.Wait()
	s := sample{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.rss = ru.Maxrss
	}
	s.exit = cmd.ProcessState.ExitCode()
	if err != nil && s.exit != 1 {
		fmt.Fprintf(os.Stderr, "%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return s
}

func median(n int, f func() sample) sample {
	s := make([]sample, n)
	for i := range s {
		s[i] = f()
	}
	sort.Slice(s, func(i, j int) bool { return s[i].wall < s[j].wall })
	return s[n/2]
}

func write(dir, name string, b []byte) string {
	p := filepath.Join(dir, name)
	check(os.WriteFile(p, b, 0o644))
	return p
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	check(err)
	return fi.Size()
}

func lines(p string) int {
	b, err := os.ReadFile(p)
	check(err)
	return bytes.Count(b, []byte{'\n'})
}

func machine() string {
	out, _ := exec.Command("sh", "-c", "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2; go version").Output()
	return strings.Join(strings.Fields(strings.ReplaceAll(string(out), "\n", " ; ")), " ")
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
func ms(d time.Duration) string        { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }
func mb(kib int64) string              { return fmt.Sprintf("%.0f MB", float64(kib)/1024) }

func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
