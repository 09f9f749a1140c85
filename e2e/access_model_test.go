package e2e

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/internal/accessgen"
)

// TestAccessModelAgreesWithHTTPD is the differential that holds the access
// model (fixes.Decide), which every access rewrite's proof rests on, to
// real httpd: random small configurations (internal/accessgen), a batch
// of them as the vhosts of one httpd on 127.0.0.1, each asked every path
// anonymously and with Basic credentials, from two loopback addresses.
// Where the model answers, httpd's status must be the same verdict.
// WSGIFIX_ACCESS_DIFF sets how long it runs (default 20s; CI runs it
// for minutes) and WSGIFIX_ACCESS_SEED the first seed.
func TestAccessModelAgreesWithHTTPD(t *testing.T) {
	bin := requireHTTPD(t)
	budget := 20 * time.Second
	if v := os.Getenv("WSGIFIX_ACCESS_DIFF"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("WSGIFIX_ACCESS_DIFF=%q: %v", v, err)
		}
		budget = d
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("WSGIFIX_ACCESS_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (WSGIFIX_ACCESS_SEED=%d repeats this run)", seed, seed)
	deadline := time.Now().Add(budget)
	var asked, decided, failures int
	for batch := 0; time.Now().Before(deadline) && failures < 5; batch++ {
		r := rand.New(rand.NewPCG(seed, uint64(batch)))
		a, d, f := diffBatch(t, bin, r, 40)
		asked, decided, failures = asked+a, decided+d, failures+f
		if batch == 0 && d == 0 {
			t.Fatal("the model decided none of the first batch's requests")
		}
	}
	t.Logf("%d requests to httpd, %d decided by the model, %d disagreements", asked, decided, failures)
	if decided < asked/2 {
		t.Errorf("the model decided only %d of %d requests: most of the generated rules are outside it", decided, asked)
	}
}

// diffBatch serves n random vhosts and compares; it returns the requests
// sent, those the model decided, and the disagreements reported.
func diffBatch(t *testing.T, bin string, r *rand.Rand, n int) (asked, decided, failures int) {
	t.Helper()
	dir, err := os.MkdirTemp("", "wsgifix-access-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "tree") + accessgen.Root
	for _, f := range accessgen.Files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		body := "file " + f + "\n"
		if f == "htpasswd" {
			sum := sha1.Sum([]byte(fixes.ProbePassword))
			body = fixes.ProbeUser + ":{SHA}" + base64.StdEncoding.EncodeToString(sum[:]) + "\n"
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	vhosts := make([]string, n)
	for i := range vhosts {
		vhosts[i] = strings.ReplaceAll(accessgen.VHost(r), accessgen.Root, root)
	}
	m := mainConfig{dir: filepath.Join(dir, "httpd")}
	for _, d := range []string{"run", "logs", "htdocs"} {
		if err := os.MkdirAll(filepath.Join(m.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sites := filepath.Join(dir, "sites.conf")
	var conf string
	for try := 0; ; try++ {
		conf = renderVhosts(vhosts, port)
		if err := os.WriteFile(sites, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(m.path(), accessMainConfig(m, sites, port), 0o644); err != nil {
			t.Fatal(err)
		}
		out, ok := configtest(bin, m.path())
		if ok {
			break
		}
		// A generated rule httpd refuses: drop its vhost and go on.
		i := vhostAtLine(out, conf)
		if i < 0 || try == 10 {
			t.Fatalf("apache2 -t refuses the generated configuration:\n%s\n%s", out, conf)
		}
		vhosts = append(vhosts[:i], vhosts[i+1:]...)
	}
	if err := openUp(dir); err != nil {
		t.Fatal(err)
	}
	h, err := startHTTPD(bin, m, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer h.stop()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := h.waitListening([]string{addr}); err != nil {
		t.Fatal(err)
	}

	f, err := ast.Parse("sites.conf", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	files := []*ast.File{f}
	for i, body := range vhosts {
		host := fmt.Sprintf("g%d.test", i)
		for _, path := range accessgen.Paths {
			for _, client := range accessgen.Clients {
				for _, user := range []string{"", fixes.ProbeUser} {
					req := fixes.Request{Host: host, Port: port, Path: path, Client: client, User: user}
					status, err := ask(addr, req)
					if err != nil {
						t.Fatalf("%s: %v%s", req, err, h.logTail(10))
					}
					asked++
					want := fixes.Decide(files, req)
					if want == fixes.Unknown {
						continue
					}
					decided++
					if got := fixes.VerdictOf(status); got != want {
						failures++
						t.Errorf("%s: httpd answers %d (%v), the model says %v, for the vhost:\n%s", req, status, got, want, strings.ReplaceAll(body, root, accessgen.Root))
						if failures >= 5 {
							return
						}
					}
				}
			}
		}
	}
	return
}

func renderVhosts(vhosts []string, port int) string {
	var b strings.Builder
	for i, v := range vhosts {
		fmt.Fprintf(&b, "<VirtualHost 127.0.0.1:%d>\nServerName g%d.test\n%s</VirtualHost>\n", port, i, v)
	}
	return b.String()
}

var syntaxLine = regexp.MustCompile(`line (\d+) of [^:]*sites\.conf`)

// vhostAtLine finds the vhost holding the line apache2 -t complains about.
func vhostAtLine(out, conf string) int {
	m := syntaxLine.FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	line, _ := strconv.Atoi(m[1])
	lines := strings.Split(conf, "\n")
	i := -1
	for k := 0; k < line && k < len(lines); k++ {
		if strings.HasPrefix(lines[k], "<VirtualHost ") {
			i++
		}
	}
	return i
}

// accessMainConfig is httpd.conf for the differential: the access modules
// (mod_access_compat among them), nothing at server level that grants or
// denies, so the model's "httpd's default" context is the server's.
func accessMainConfig(m mainConfig, sites string, port int) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("ServerRoot /etc/apache2")
	p("PidFile %s/run/httpd.pid", m.dir)
	p("DefaultRuntimeDir %s/run", m.dir)
	p("Mutex file:%s/run default", m.dir)
	p("ErrorLog %s", m.errorLog())
	p("LogLevel warn")
	for _, mod := range []module{
		{"mpm_event_module", "mod_mpm_event.so"},
		{"authz_core_module", "mod_authz_core.so"},
		{"authz_host_module", "mod_authz_host.so"},
		{"authz_user_module", "mod_authz_user.so"},
		{"authn_core_module", "mod_authn_core.so"},
		{"authn_file_module", "mod_authn_file.so"},
		{"auth_basic_module", "mod_auth_basic.so"},
		{"access_compat_module", "mod_access_compat.so"},
		{"alias_module", "mod_alias.so"},
		{"mime_module", "mod_mime.so"},
	} {
		p("LoadModule %s %s/%s", mod.name, modulesDir, mod.file)
	}
	p("User www-data")
	p("Group www-data")
	p("ServerName localhost")
	p("DocumentRoot %s/htdocs", m.dir)
	p("TypesConfig /etc/mime.types")
	p("Listen 127.0.0.1:%d", port)
	p("Include %s", sites)
	return []byte(b.String())
}

// ask sends req to httpd at addr, from req.Client, and returns the status.
func ask(addr string, req fixes.Request) (int, error) {
	local, err := net.ResolveTCPAddr("tcp", req.Client+":0")
	if err != nil {
		return 0, err
	}
	dialer := &net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}
	tr := &http.Transport{
		Proxy:             nil,
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	hr, err := http.NewRequest("GET", "http://"+req.Host+req.Path, nil)
	if err != nil {
		return 0, err
	}
	if req.User != "" {
		hr.SetBasicAuth(req.User, fixes.ProbePassword)
	}
	resp, err := client.Do(hr)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
