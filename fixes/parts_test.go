package fixes

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// forceParts makes RunParts cut even the smallest file, at every place it
// may (a part of one vhost).
func forceParts(t *testing.T) {
	t.Helper()
	size, min := partSize, minPartsInput
	partSize, minPartsInput = 1, 0
	t.Cleanup(func() { partSize, minPartsInput = size, min })
}

// partsMatchWhole fixes src as one tree and part by part and fails the
// test when the output or the findings differ. It reports whether the
// file was cut at all.
func partsMatchWhole(t *testing.T, name string, src []byte, opts Options, passes []*Pass) bool {
	t.Helper()
	whole, err := ast.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	wantFound := formatFindings(Run([]*ast.File{whole}, opts, passes))
	want := string(ast.Print(whole))

	cut := false
	var parts int
	var done []string
	var doneFound [][]Finding
	var mu sync.Mutex
	hooks := PartHooks{
		Jobs: 2,
		Cut: func(n int) {
			cut, parts, done, doneFound = true, n, make([]string, n), make([][]Finding, n)
		},
		Done: func(k int, before, after []byte, found []Finding) {
			mu.Lock()
			defer mu.Unlock()
			done[k], doneFound[k] = string(after), found
		},
	}
	printed, found, ok, err := RunParts(name, src, opts, passes, hooks)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !ok {
		if cut {
			t.Errorf("%s: cut was called for a file that was not cut", name)
		}
		return false
	}
	if !cut {
		t.Errorf("%s: cut into parts without calling Cut", name)
	}
	if joined := strings.Join(done, ""); len(done) != parts || joined != string(printed) {
		t.Errorf("%s: Done saw %d parts whose texts join to %d bytes; want %d parts, %d bytes", name, len(done), len(joined), parts, len(printed))
	}
	if d := difftest.Diff(want, string(printed)); d != "" {
		t.Errorf("%s: output fixed by parts differs from the whole file's:\n%s", name, d)
	}
	if d := difftest.Diff(wantFound, formatFindings(found)); d != "" {
		t.Errorf("%s: findings by parts differ from the whole file's:\n%s", name, d)
	}
	// What Done hands out, part after part, is the whole file's report:
	// a caller can write it as the parts come.
	if d := difftest.Diff(wantFound, formatFindings(slices.Concat(doneFound...))); d != "" {
		t.Errorf("%s: the parts' findings as Done saw them differ from the whole file's:\n%s", name, d)
	}
	return true
}

// Every golden case of one file, fixed part by part wherever it can be
// cut, gives the same output and findings as fixed whole.
func TestPartsMatchWholeGoldens(t *testing.T) {
	forceParts(t)
	files, _ := filepath.Glob("testdata/*/*.txtar")
	used := 0
	for _, file := range files {
		pass := filepath.Base(filepath.Dir(file))
		if pass == "fuzz" {
			continue
		}
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var src []byte
		for _, f := range ar.Files {
			if f.Name == "in.conf" {
				src = f.Data
			}
		}
		if src == nil {
			continue // several files: never cut
		}
		c := goldenCase{opts: DefaultOptions()}
		if pass != "corpus" {
			c.only = []string{pass}
		}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			if rest, ok := strings.CutPrefix(line, "flags:"); ok {
				parseFlags(t, &c, strings.Fields(rest))
			}
		}
		passes, err := Select(c.only, c.skip, c.en)
		if err != nil {
			t.Fatal(err)
		}
		// Each case also with every default pass: a case's own pass alone
		// rarely meets the others' cross-vhost reads.
		all, _ := Select(nil, nil, c.en)
		for _, ps := range [][]*Pass{passes, all} {
			if partsMatchWhole(t, file, src, c.opts, ps) {
				used++
			}
		}
	}
	if used < 12 {
		t.Errorf("only %d golden runs were cut into parts: the test proves little", used)
	}
}

// Generated servers: the benchmark's shape, and the things that must keep
// vhosts together or a file whole.
func TestPartsMatchWholeGenerated(t *testing.T) {
	forceParts(t)
	partsMatchWholeGenerated(t)
}

// The same with every split over goroutines forced: within each part, and
// the reading of daemon names when parts are planned.
func TestPartsMatchWholeGeneratedInParallel(t *testing.T) {
	forceParts(t)
	forceParallel(t)
	partsMatchWholeGenerated(t)
}

func partsMatchWholeGenerated(t *testing.T) {
	base := string(genconf.Bytes(40))
	selectSite := func(n int) string {
		return fmt.Sprintf("<VirtualHost *:8080>\n    ServerName late.example.com\n    WSGIProcessGroup site%d\n    WSGIScriptAlias / /srv/site%d/web2py/wsgihandler.py\n</VirtualHost>\n", n, n)
	}
	// A big file made of the web2py book's example: each pair after its
	// NameVirtualHost lines, with a comment above them.
	bookShaped := regexp.MustCompile(`(?m)^### site (\d+): requests on port 80\n`).
		ReplaceAllString(base, "# site $1\nNameVirtualHost *:80\nNameVirtualHost *:443\n")
	if n := strings.Count(bookShaped, "NameVirtualHost"); n != 80 {
		t.Fatalf("the book-shaped config has %d NameVirtualHost lines, want 80", n)
	}
	conflicting := "<VirtualHost *:81>\n    ServerName other.example.com\n    WSGIDaemonProcess site3 processes=5\n    WSGIScriptAlias / /srv/other/wsgihandler.py process-group=site3\n</VirtualHost>\n"
	cases := []struct {
		name string
		src  string
		opts func(*Options)
		cut  bool
	}{
		{"genconf", base, nil, true},
		{"genconf-crlf", strings.ReplaceAll(base, "\n", "\r\n"), nil, true},
		{"genconf-bom", "\ufeff" + base, nil, true},
		{"genconf-global-scope", base, func(o *Options) { o.DaemonScope = "global" }, true},
		{"genconf-apache22", base, func(o *Options) { o.Apache = "2.2" }, true},
		{"genconf-keep-first", base, func(o *Options) { o.DaemonConflict = "keep-first" }, true},
		{"genconf-server-name", base, func(o *Options) { o.ServerName = "x.example.com" }, true},
		{"daemon-selected-far-away", base + selectSite(20), nil, true},
		{"daemon-selected-from-the-end", base + selectSite(0), nil, false}, // site0 to the end: one part
		{"daemon-conflict-far-away", base + conflicting, nil, true},
		{"comments-between", strings.ReplaceAll(base, "</VirtualHost>\n", "</VirtualHost>\n\n# between\n\n"), nil, true},
		{"renaming-keeps-whole", base + conflicting, func(o *Options) { o.DaemonConflict = "rename" }, false},
		{"server-level-keeps-whole", "Listen 80\n" + base, nil, false},
		{"name-virtual-host-lines", bookShaped, nil, true},
		{"name-virtual-host-lines-apache22", bookShaped, func(o *Options) { o.Apache = "2.2" }, true},
		{"name-virtual-host-glued", strings.ReplaceAll(bookShaped, "NameVirtualHost *:", "NameVirtualHost*:"), nil, true},
		{"name-virtual-host-glued-apache22", strings.ReplaceAll(bookShaped, "NameVirtualHost *:", "NameVirtualHost*:"), func(o *Options) { o.Apache = "2.2" }, true},
		{"name-virtual-host-then-listen-keeps-whole", bookShaped + "Listen 8080\n", nil, false},
		{"dynamic-group-keeps-whole", base + "<VirtualHost *:82>\n    WSGIProcessGroup %{ENV:G}\n</VirtualHost>\n", nil, false},
		{"no-break-space-keeps-whole", base + "<VirtualHost *:83>\n    ServerName\u00a0nbsp.example.com\n</VirtualHost>\n", nil, false},
		{"typeset-keeps-whole", base + "<VirtualHost *:84>\n    ServerName \u201cq.example.com\u201d\n</VirtualHost>\n", nil, false},
		{"open-tag-as-close-keeps-whole", base + "<VirtualHost *:85>\n    <LocationMatch \"^/x\">\n        Require all granted\n    <LocationMatch>\n</VirtualHost>\n", nil, false},
		{"misspelled-keeps-whole", base + "<VirtualHost *:86>\n    <Directroy /srv>\n        Require all granted\n    <Directory>\n</VirtualHost>\n", nil, false},
	}
	for _, c := range cases {
		opts := DefaultOptions()
		if c.opts != nil {
			c.opts(&opts)
		}
		passes, _ := Select(nil, nil, nil)
		if cut := partsMatchWhole(t, c.name, []byte(c.src), opts, passes); cut != c.cut {
			t.Errorf("%s: cut into parts = %v, want %v", c.name, cut, c.cut)
		}
	}
}

// Parts keep vhosts that share a daemon name together, however far apart,
// and cut only after a VirtualHost.
func TestPartsPlan(t *testing.T) {
	forceParts(t)
	src := "# lead\n" +
		"<VirtualHost *:80>\n    WSGIDaemonProcess a\n</VirtualHost>\n" + // 1
		"# about b\n" + // 2
		"<VirtualHost *:80>\n    WSGIDaemonProcess b\n</VirtualHost>\n" + // 3
		"<VirtualHost *:80>\n    WSGIProcessGroup a\n</VirtualHost>\n" + // 4
		"<VirtualHost *:80>\n    WSGIScriptAlias / /x.py process-group=\"c\"\n</VirtualHost>\n" + // 5
		"<VirtualHost *:80>\n    WSGIDaemonProcess c\n</VirtualHost>\n" // 6
	passes, _ := Select(nil, nil, nil)
	parts, _ := planParts("plan.conf", []byte(src), DefaultOptions(), passes)
	var got []string
	for _, p := range parts {
		got = append(got, fmt.Sprintf("line %d: %q", p.line, src[p.from:p.to]))
	}
	// 1 and 4 share "a" (the comment about b stays between them), 5 and 6
	// share "c" (quoted where 5 selects it): one cut, before 5.
	at5 := strings.Index(src, "<VirtualHost *:80>\n    WSGIScriptAlias")
	want := []string{
		fmt.Sprintf("line 1: %q", src[:at5]),
		fmt.Sprintf("line 12: %q", src[at5:]),
	}
	if d := difftest.Diff(strings.Join(want, "\n"), strings.Join(got, "\n")); d != "" {
		t.Errorf("parts differ:\n%s", d)
	}
}

// FuzzParts checks on arbitrary input that fixing it part by part, wherever
// it can be cut, gives what fixing it whole gives. Inputs that cannot be
// cut (most) only check that they are left untouched by the planning.
func FuzzParts(f *testing.F) {
	for _, src := range goldenInputs(f) {
		f.Add(src, uint8(0))
	}
	f.Add(genconf.Bytes(4), uint8(0))
	f.Add(genconf.Bytes(4), uint8(1))
	size, min := partSize, minPartsInput
	partSize, minPartsInput = 1, 0
	f.Cleanup(func() { partSize, minPartsInput = size, min })
	f.Fuzz(func(t *testing.T, src []byte, flags uint8) {
		if bytes.IndexByte(src, 0) >= 0 {
			return
		}
		opts, passes := fuzzPolicy(flags)
		partsMatchWhole(t, "fuzz.conf", src, opts, passes)
	})
}

// A pass from elsewhere keeps a file whole (it may read across vhosts); a
// pass that panics in a part stops the run with its name.
func TestPartsPassesFromElsewhereAndPanics(t *testing.T) {
	forceParts(t)
	src := genconf.Bytes(8)
	passes, _ := Select(nil, nil, nil)
	own := &Pass{Name: "theirs", Run: func(*Context) {}}
	if _, _, ok, _ := RunParts("x.conf", src, DefaultOptions(), append(passes, own), PartHooks{}); ok {
		t.Error("cut into parts with a pass from outside the registry")
	}

	run := EmptyServerName.Run
	EmptyServerName.Run = func(*Context) { panic("boom") }
	defer func() { EmptyServerName.Run = run }()
	_, _, ok, err := RunParts("x.conf", src, DefaultOptions(), passes, PartHooks{Jobs: 2})
	var pe *PanicError
	if !ok || !errors.As(err, &pe) || pe.Pass != "empty-servername" || pe.Value != "boom" {
		t.Errorf("ok=%v err=%v, want the panic of empty-servername", ok, err)
	}
}

// The joiner gives the parts' texts in part order whatever order they
// come in, from any number of goroutines. When the text outgrows its
// first estimate it grows by the ratio seen so far: parts that all come
// out three times as long cost one copy, not one per growth step; parts
// that grow more and more (1× to 4×) still come out right.
func TestJoiner(t *testing.T) {
	for _, c := range []struct {
		name     string
		grow     func(k int) float64
		maxGrows int
	}{
		{"three times", func(int) float64 { return 3 }, 1},
		{"more and more", func(k int) float64 { return 1 + 3*float64(k)/200 }, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(3))
			const parts = 200
			in := make([]int, parts)
			outs := make([][]byte, parts)
			var want []byte
			size := 0
			for k := range outs {
				in[k] = 10000 + rng.Intn(20000) // megabytes in all: append grows by a quarter there
				size += in[k]
				outs[k] = bytes.Repeat([]byte{byte('a' + k%26)}, int(float64(in[k])*c.grow(k)))
				want = append(want, outs[k]...)
			}
			j := newJoiner(parts, size)
			order := rng.Perm(parts)
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < parts; i += 4 {
						j.add(order[i], in[order[i]], outs[order[i]])
					}
				}()
			}
			wg.Wait()
			if got := j.done(); !bytes.Equal(got, want) {
				t.Fatalf("joined text differs (%d bytes, want %d)", len(got), len(want))
			}
			if j.grown > c.maxGrows {
				t.Errorf("grew %d times, want at most %d", j.grown, c.maxGrows)
			}
			for k, r := range j.ready {
				if r != nil {
					t.Errorf("part %d kept after it was copied", k)
				}
			}
		})
	}
}

// A file of a megabyte or more has its outline read as two stretches at
// once (ast.ReadOutline); the daemon names each saw are joined before the
// cuts are chosen. The cuts must be those of a single stretch, and a name
// selected in one stretch and defined in the other keeps everything
// between together.
func TestPartsPlanAcrossStretches(t *testing.T) {
	forceParts(t)
	base := string(genconf.Bytes(1000)) // 1.36 MB
	selectSite := func(n int) string {
		return fmt.Sprintf("<VirtualHost *:8080>\n    WSGIScriptAlias / /srv/x/wsgihandler.py process-group=site%d\n</VirtualHost>\n", n)
	}
	passes, _ := Select(nil, nil, nil)
	plan := func(src string, procs int) []part {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		parts, _ := planParts("big.conf", []byte(src), DefaultOptions(), passes)
		return parts
	}
	for _, tc := range []struct {
		name     string
		src      string
		joinedAt string // the vhost from which the file is one part to its end
	}{
		{"no names across", base, ""},
		{"first stretch to the end", base + selectSite(10), "ServerName site10.example.com"},
		{"second stretch to the end", base + selectSite(990), "ServerName site990.example.com"},
	} {
		one, two := plan(tc.src, 1), plan(tc.src, 2)
		if !slices.Equal(one, two) {
			t.Errorf("%s: %d parts read in two stretches, %d in one; they differ", tc.name, len(two), len(one))
		}
		if len(two) < 2 {
			t.Errorf("%s: %d parts", tc.name, len(two))
			continue
		}
		last := two[len(two)-1]
		if tc.joinedAt != "" {
			at := strings.Index(tc.src, tc.joinedAt)
			if at < last.from {
				t.Errorf("%s: the last part starts at %d, after the vhost at %d that shares its daemon name with the last vhost", tc.name, last.from, at)
			}
		} else if last.to-last.from > 2000 {
			t.Errorf("%s: the last part has %d bytes; the last pair is its own part", tc.name, last.to-last.from)
		}
	}
}
