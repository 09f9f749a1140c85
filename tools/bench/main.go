// Command bench measures wsgifix against reference tools on the same input,
// in one run on one machine, and prints ratios and whether each target of
// SPEC.md "Performance targets" is met. It is what `make bench` runs;
// BENCHMARKS.md records its output.
//
//	go run ./tools/bench [-wsgifix BIN] [-augeas=false] [-augruns N] [-runs N] [-dir DIR]
//
// Every measurement is the median wall time of N runs of a whole process
// (or, for the in-process round trip, of N parse+print cycles), with its
// stdout and stderr drained through pipes so that no tool can take a
// /dev/null shortcut. Children are started by a small copy of this program
// (see runChild) so that their peak RSS, from the kernel's rusage, is
// theirs and not inherited from this big process. The two ratios whose
// runs take a minute or more are taken run by run, each against wsgifix
// runs made right next to it: augtool, run -augruns times, each run
// between runs of wsgifix diff (augtoolPairs), and the 100k diff, each
// run right after a 10k one (scalePairs).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

type sample struct {
	wall time.Duration
	cpu  time.Duration // user + system
	sys  time.Duration // system (the kernel's work for the process)
	rss  int64         // KiB
	exit int
}

// childEnv marks the copy of this program that starts one measured child.
const childEnv = "WSGIFIX_BENCH_CHILD"

func main() {
	if os.Getenv(childEnv) != "" {
		runChild(os.Args[1:]) // before this process has allocated anything
		return
	}
	bin := flag.String("wsgifix", "", "wsgifix binary (default: build one)")
	withAug := flag.Bool("augeas", true, "also time augtool (slow: about a minute a run)")
	augRuns := flag.Int("augruns", 3, "augtool runs, each between two wsgifix diff runs")
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
	fmt.Printf("# machine: %s\n", machine())
	fmt.Printf("# command: go run ./tools/bench %s\n\n", strings.Join(os.Args[1:], " "))

	big10 := write(*dir, "pairs10k.conf", genconf.Bytes(10000))
	big100 := write(*dir, "pairs100k.conf", genconf.Bytes(100000))
	size10 := fileSize(big10)

	cat := median(*runs, func() sample { return child("cat", big10) })
	rt := median(*runs, func() sample { return roundTrip(big10) })
	diff10 := median(*runs, func() sample { return child(*bin, "diff", big10) })
	diff100, linRatios := scalePairs(max(1, *runs/2)|1,
		func() sample { return child(*bin, "diff", big10) }, func() sample { return child(*bin, "diff", big100) })

	var v verdicts
	fmt.Printf("input: 10k pairs = %.1f MB, %d lines; 100k pairs = %.1f MB\n\n",
		float64(size10)/1e6, lines(big10), float64(fileSize(big100))/1e6)
	fmt.Printf("| measurement | time | peak RSS | ratio | target | met |\n|---|---|---|---|---|---|\n")
	fmt.Printf("| cat (10k) | %s | %s | 1× | reference | |\n", ms(cat.wall), mb(cat.rss))
	rtRatio := ratio(rt.wall, cat.wall)
	fmt.Printf("| parse+print round trip in process (10k) | %s | — | %.1f× cat | ≤ 5× cat | %s |\n",
		ms(rt.wall), rtRatio, v.check("round trip ≤ 5× cat", rtRatio <= 5))
	rssRatio := float64(diff10.rss*1024) / float64(size10)
	fmt.Printf("| wsgifix diff (10k, all passes + diff) | %s | %s (%.1f× input) | %.1f× cat | ≤ 0.5 s; RSS ≤ 8× input | %s; %s |\n",
		ms(diff10.wall), mb(diff10.rss), rssRatio, ratio(diff10.wall, cat.wall),
		v.check("diff ≤ 0.5 s", diff10.wall <= 500*time.Millisecond), v.check("diff RSS ≤ 8× input", rssRatio <= 8))
	linRatio := medianOf(linRatios)
	fmt.Printf("| wsgifix diff (100k, median of %d, each right after a 10k run) | %s | %s | %.1f× the 10k time (run by run: %s) | ≤ 11× | %s |\n",
		len(linRatios), ms(diff100.wall), mb(diff100.rss), linRatio, runByRun(linRatios, "%.1f×"), v.check("100k ≤ 11× 10k", linRatio <= 11 && diff100.exit == 1))
	if diff10.exit != 1 || diff100.exit != 1 {
		fmt.Printf("\nWARNING: wsgifix diff exited %d/%d, want 1 (changes pending)\n", diff10.exit, diff100.exit)
	}

	if *withAug {
		if _, err := exec.LookPath("augtool"); err != nil {
			fmt.Println("| augtool | not installed (apt-get install augeas-tools) | | | | |")
		} else {
			valid := write(*dir, "valid10k.conf", bytes.ReplaceAll(genconf.Bytes(10000),
				[]byte("    </Location>\n    <Location \"/\">"), []byte("    </LocationMatch>\n    <Location \"/\">")))
			aug, speedups := augtoolPairs(*augRuns, valid, func() sample { return child(*bin, "diff", big10) })
			speedup := medianOf(speedups)
			fmt.Printf("| augtool parse (valid 10k variant, median of %d, each against the mean of the %d wsgifix diff runs before and %d after it) | %s | %s | wsgifix diff is %.0f× faster (run by run: %s) | ≥ 150× | %s |\n",
				len(speedups), augDiffRuns, augDiffRuns, ms(aug.wall), mb(aug.rss), speedup, runByRun(speedups, "%.0f×"), v.check("≥ 150× faster than augtool", speedup >= 150))
		}
	}

	tree := filepath.Join(*dir, "tree")
	check(genconf.WriteTree(tree, 10000))
	os.Remove(filepath.Join(tree, "httpd.conf"))
	fix := child(*bin, "fix", filepath.Join(tree, "sites"))
	backups, _ := filepath.Glob(filepath.Join(tree, "sites", "*.wsgifix-bak"))
	fmt.Printf("| wsgifix fix, 10,000 files with backups | %s (CPU %s, %s of it in the kernel: %.1f cores) | %s | %d backups | ≤ 3 s | %s |\n",
		ms(fix.wall), ms(fix.cpu), ms(fix.sys), ratio(fix.cpu, fix.wall), mb(fix.rss), len(backups),
		v.check("fix 10,000 files ≤ 3 s", fix.wall <= 3*time.Second && len(backups) == 10000))
	v.summary()
}

// scalePairs runs the 100k diff n times, each right after a 10k diff, and
// returns the 100k run of median time and each pair's ratio: the host's
// speed drifts over the minute these take, and a ratio of two medians
// taken a minute apart measured the drift as much as the scaling.
func scalePairs(n int, small, big func() sample) (sample, []float64) {
	var bigs []sample
	var ratios []float64
	for range n {
		s := small()
		b := big()
		bigs = append(bigs, b)
		ratios = append(ratios, ratio(b.wall, s.wall))
	}
	return middle(bigs), ratios
}

// augtoolPairs runs augtool n times on the valid variant, each run between
// runs of diff: the host's speed drifts over the minute an augtool run
// takes, so each augtool run is compared with the diff runs around it.
// It returns augtool's median run and each run's speedup: its time over
// the mean time of the augDiffRuns diff runs before it and as many after.
// One augtool run spans tens of seconds of the host's ups and downs, one
// diff run a quarter of a second of them: a single diff run on each side
// (as until the eighth round) made a run's speedup swing by a third
// either way. The mean, not the median, keeps the slow diff runs in, as
// augtool's own time keeps its slow seconds.
func augtoolPairs(n int, valid string, diff func() sample) (sample, []float64) {
	var augs []sample
	var speedups []float64
	runDiffs := func() time.Duration {
		var sum time.Duration
		for range augDiffRuns {
			sum += diff().wall
		}
		return sum / augDiffRuns
	}
	before := runDiffs()
	for range max(n, 1) {
		aug := child("augtool", "-L", "-r", "/", "--transform", "Httpd.lns incl "+valid,
			"match", "/files"+valid+"/VirtualHost")
		after := runDiffs()
		augs = append(augs, aug)
		speedups = append(speedups, ratio(aug.wall, (before+after)/2))
		before = after
	}
	return middle(augs), speedups
}

// augDiffRuns is how many diff runs augtoolPairs makes on each side of an
// augtool run.
const augDiffRuns = 5

// medianOf is the median of xs (the upper one of an even count).
func medianOf(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// runByRun formats each of xs, in order, for a row.
func runByRun(xs []float64, format string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(s, ", ")
}

// verdicts collects which targets were missed.
type verdicts struct{ missed []string }

func (v *verdicts) check(target string, ok bool) string {
	if ok {
		return "met"
	}
	v.missed = append(v.missed, target)
	return "**not met**"
}

func (v *verdicts) summary() {
	if len(v.missed) == 0 {
		fmt.Println("\nall targets met")
		return
	}
	fmt.Printf("\ntargets not met: %s\n", strings.Join(v.missed, "; "))
}

// roundTrip times one in-process parse+print of the file, reading it too.
// The collector is held off as the wsgifix command holds it (cmd/wsgifix
// gc.go), so the bench's own heap does not decide when it runs.
func roundTrip(path string) sample {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
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

// child runs name with args through a fresh copy of this program (see
// runChild) and returns what it measured.
func child(name string, args ...string) sample {
	self, err := os.Executable()
	check(err)
	cmd := exec.Command(self, append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	check(cmd.Run())
	var s sample
	var wall, cpu, sys int64
	if _, err := fmt.Sscan(out.String(), &wall, &cpu, &s.rss, &s.exit, &sys); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
		os.Exit(1)
	}
	s.wall, s.cpu, s.sys = time.Duration(wall), time.Duration(cpu), time.Duration(sys)
	if s.exit != 0 && s.exit != 1 {
		fmt.Fprintf(os.Stderr, "%s %s: exit %d\n%s", name, strings.Join(args, " "), s.exit, errOut.String())
	}
	return s
}

// runChild is the copy of this program that runs one child: it starts it
// before allocating anything, drains its stdout and stderr through pipes,
// and prints "wall-ns cpu-ns peak-rss-KiB exit-code sys-ns" (cpu is user
// and system together). A child started from
// the big bench process would report the bench's peak RSS: Go starts
// children with CLONE_VM, and the kernel keeps the larger of the parent's
// peak and the child's across exec. This process is a few MB, which is
// what a child's RSS can be over-reported by (cat shows it).
func runChild(args []string) {
	cmd := exec.Command(args[0], args[1:]...)
	stdout, err := cmd.StdoutPipe()
	check(err)
	stderr, err := cmd.StderrPipe()
	check(err)
	start := time.Now()
	check(cmd.Start())
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, stderr); close(done) }()
	io.Copy(io.Discard, stdout)
	<-done
	cmd.Wait()
	wall := time.Since(start)
	var rss int64
	var cpu, sys time.Duration
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		sys = time.Duration(ru.Stime.Nano())
	}
	fmt.Println(wall.Nanoseconds(), cpu.Nanoseconds(), rss, cmd.ProcessState.ExitCode(), sys.Nanoseconds())
}

func median(n int, f func() sample) sample {
	s := make([]sample, n)
	for i := range s {
		s[i] = f()
	}
	return middle(s)
}

// middle is the sample of median wall time (the upper one of an even
// count); it sorts s.
func middle(s []sample) sample {
	sort.Slice(s, func(i, j int) bool { return s[i].wall < s[j].wall })
	return s[len(s)/2]
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
