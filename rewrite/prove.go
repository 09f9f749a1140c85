package rewrite

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
)

// Proving a rewrite with real httpd (wsgifix diff --prove): the files of a
// run before and after are served, each under every server context
// fixes.ServerContexts names, by apache2 on 127.0.0.1 with a scratch tree
// standing in for the paths they name, and asked fixes.Probes; a request
// whose status differs is an access change, which a finding must declare.

// ProveFile is one file of a run, before and after.
type ProveFile struct {
	Name          string
	Before, After []byte
}

// ProveRow is one request's answers.
type ProveRow struct {
	Request       fixes.Request
	Context       string
	Before, After int           // httpd's status
	Model         fixes.Verdict // the model's verdict for Before (Unknown: it cannot tell)
	ModelAfter    fixes.Verdict // and for After
	Declared      bool          // a finding names this URL as changed on purpose
}

// Changed reports whether the access checks decided differently.
func (r ProveRow) Changed() bool { return fixes.VerdictOf(r.Before) != fixes.VerdictOf(r.After) }

// ModelDisagrees reports whether the model's verdict is not httpd's.
func (r ProveRow) ModelDisagrees() bool {
	return r.Model != fixes.Unknown && r.Model != fixes.VerdictOf(r.Before)
}

// ModelAfterDisagrees reports whether the model's verdict on the
// rewritten text is not httpd's.
func (r ProveRow) ModelAfterDisagrees() bool {
	return r.ModelAfter != fixes.Unknown && r.After != 0 && r.ModelAfter != fixes.VerdictOf(r.After)
}

// ConfigtestError is a side of the run httpd does not accept, so that it
// cannot be served: the input of a run that must be fixed first, or
// directives the scratch server lacks a module for.
type ConfigtestError struct {
	Side   string // "before" or "after"
	Output string
}

func (e *ConfigtestError) Error() string {
	return "apache2 -t fails on the " + e.Side + " text:\n" + e.Output
}

// ErrNoHTTPD says --prove cannot run here.
var ErrNoHTTPD = errors.New("--prove needs apache2 with mod_wsgi (Debian: apt-get install apache2 libapache2-mod-wsgi-py3)")

// FindHTTPD returns the apache2 binary, or ErrNoHTTPD.
func FindHTTPD() (string, error) {
	for _, p := range []string{"/usr/sbin/apache2", "/usr/sbin/httpd"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			if _, err := os.Stat(filepath.Join(modulesDir, "mod_wsgi.so")); err != nil {
				return "", ErrNoHTTPD
			}
			return p, nil
		}
	}
	if p, err := exec.LookPath("apache2"); err == nil {
		return p, nil
	}
	return "", ErrNoHTTPD
}

const modulesDir = "/usr/lib/apache2/modules"

// Prove serves files before and after and asks each probe of the
// original; findings are the run's, for what they declare.
func Prove(ctx context.Context, files []ProveFile, findings []fixes.Finding) ([]ProveRow, error) {
	bin, err := FindHTTPD()
	if err != nil {
		return nil, err
	}
	parsed := make([]*ast.File, len(files))
	for i, f := range files {
		if parsed[i], err = ast.Parse(f.Name, f.Before); err != nil {
			return nil, err
		}
	}
	probes := fixes.Probes(parsed, fixes.DefaultOptions())
	contexts := fixes.ServerContexts(parsed)
	// The rewritten text's own probes too: a repaired regex (typeset-chars)
	// matches URLs the original's probes never name.
	probes = append(probes, afterProbes(files, probes, len(contexts))...)
	dir, err := scratchDir()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	sb := &scratch{dir: dir, root: filepath.Join(dir, "tree"), ports: map[int]int{}}
	if err := sb.prepare(parsed, probes, files); err != nil {
		return nil, err
	}
	rows := make([]ProveRow, len(probes))
	for i, p := range probes {
		rows[i] = ProveRow{Request: p, Context: contexts[p.Context].Name, Model: fixes.Decide(parsed, p), Declared: declared(findings, p.Path)}
	}
	setModelAfter(rows, files, parsed)
	for k, c := range contexts {
		for _, after := range []bool{false, true} {
			statuses, err := sb.serve(ctx, bin, files, c, after, probes, k)
			if err != nil {
				return nil, err
			}
			for i, s := range statuses {
				if s == 0 {
					continue
				}
				if after {
					rows[i].After = s
				} else {
					rows[i].Before = s
				}
			}
		}
	}
	return rows, nil
}

// afterProbes are the probes of the rewritten files that the original's
// do not hold, reaching their vhost by name (Request.Site unset).
func afterProbes(files []ProveFile, have []fixes.Request, contexts int) []fixes.Request {
	parsed := make([]*ast.File, len(files))
	for i, f := range files {
		var err error
		if parsed[i], err = ast.Parse(f.Name, f.After); err != nil {
			return nil
		}
	}
	if len(fixes.ServerContexts(parsed)) != contexts {
		return nil
	}
	key := func(r fixes.Request) fixes.Request { r.Site = nil; return r }
	seen := make(map[fixes.Request]bool, len(have))
	for _, r := range have {
		seen[key(r)] = true
	}
	var out []fixes.Request
	for _, r := range fixes.Probes(parsed, fixes.DefaultOptions()) {
		if k := key(r); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// declaredMatching is how a finding declares the change of a URL pattern
// (typeset-chars repairing a regex): `access changes for URLs matching "NEW"
// (before: "OLD")`, both regexes.
var declaredMatching = regexp.MustCompile(`access changes for URLs matching ("(?:[^"\\]|\\.)*") \(before: ("(?:[^"\\]|\\.)*")\)`)

// declared reports whether a finding names path as an access change made
// on purpose ("access changes for" ... "PATH", or for URLs matching a
// pattern the finding quotes).
func declared(findings []fixes.Finding, path string) bool {
	q := strconv.Quote(path)
	for _, f := range findings {
		i := strings.Index(f.Message, "access changes for ")
		if i < 0 {
			continue
		}
		if strings.Contains(f.Message[i:], q) {
			return true
		}
		for _, m := range declaredMatching.FindAllStringSubmatch(f.Message[i:], -1) {
			for _, quoted := range m[1:] {
				expr, err := strconv.Unquote(quoted)
				if err != nil {
					continue
				}
				if re, err := regexp.Compile(expr); err == nil && re.MatchString(path) {
					return true
				}
			}
		}
	}
	return false
}

// scratch is the world a run is served in.
type scratch struct {
	dir, root string
	ports     map[int]int // the config's vhost ports -> ports on 127.0.0.1
	https     map[int]bool
	cert, key string
}

// pathArgs are the directives whose arguments name files, and which one.
var pathArgs = map[string]int{
	"directory": 0, "documentroot": 0, "authuserfile": 0, "authgroupfile": 0,
	"alias": 1, "scriptalias": 1, "wsgiscriptalias": 1, "aliasmatch": 1, "scriptaliasmatch": 1, "wsgiscriptaliasmatch": 1,
}

// dropped are directives of a run's own main config that the scratch
// httpd.conf sets itself (or that would reach outside the scratch tree).
var dropped = map[string]bool{
	"listen": true, "namevirtualhost": true, "user": true, "group": true, "pidfile": true, "serverroot": true,
	"loadmodule": true, "include": true, "includeoptional": true, "errorlog": true, "customlog": true, "transferlog": true,
	"wsgisocketprefix": true, "mutex": true, "defaultruntimedir": true, "sslsessioncache": true, "wsgipythonhome": true,
	"wsgidaemonprocess": true, "wsgiprocessgroup": true, "sslcertificatechainfile": true,
}

var (
	lineName  = regexp.MustCompile(`^([ \t]*)(<?/?)([A-Za-z]+)`)
	vhostPort = regexp.MustCompile(`(?i)(<VirtualHost[ \t]+)[^>]*?:([0-9]+)([^>]*>)`)
)

// relocate rewrites one config text for the scratch world, line by line:
// file paths under root, vhost addresses on 127.0.0.1, certificates and
// logs its own, the main-config directives dropped.
func (sb *scratch) relocate(src []byte) []byte {
	var out bytes.Buffer
	// Continued lines joined first, as httpd reads them (line numbers in
	// its messages then count logical lines).
	joined := joinContinuations(string(src))
	for _, line := range strings.SplitAfter(joined, "\n") {
		m := lineName.FindStringSubmatch(line)
		if m == nil {
			out.WriteString(line)
			continue
		}
		name := strings.ToLower(m[3])
		switch {
		case m[2] == "" && dropped[name]:
			line = m[1] + "# " + strings.TrimLeft(line, " \t")
		case m[2] == "" && (name == "sslcertificatefile" || name == "sslcertificatekeyfile"):
			line = m[1] + "# " + strings.TrimLeft(line, " \t")
		case m[2] == "<" && name == "virtualhost":
			line = vhostPort.ReplaceAllStringFunc(line, func(s string) string {
				sub := vhostPort.FindStringSubmatch(s)
				p, _ := strconv.Atoi(sub[2])
				return sub[1] + "127.0.0.1:" + strconv.Itoa(sb.ports[p]) + sub[3]
			})
		case m[2] == "<" && name == "directorymatch":
			line = strings.Replace(line, "^/", "^"+regexp.QuoteMeta(sb.root)+"/", 1)
		default:
			if i, ok := pathArgs[name]; ok && (m[2] == "" || name == "directory") {
				line = sb.relocateArg(line, len(m[0]), i)
			}
		}
		out.WriteString(line)
	}
	return out.Bytes()
}

// relocateArg puts root before argument i of line (after its name, at
// offset from), when it is an absolute path.
func (sb *scratch) relocateArg(line string, from, i int) string {
	rest := line[from:]
	k := 0
	for pos := 0; pos < len(rest); {
		for pos < len(rest) && (rest[pos] == ' ' || rest[pos] == '\t') {
			pos++
		}
		if pos >= len(rest) || rest[pos] == '\n' || rest[pos] == '\r' || rest[pos] == '>' {
			break
		}
		start := pos
		quote := byte(0)
		if rest[pos] == '"' || rest[pos] == '\'' {
			quote = rest[pos]
			pos++
		}
		if k == i {
			if pos < len(rest) && rest[pos] == '/' {
				return line[:from+pos] + sb.root + line[from+pos:]
			}
			return line
		}
		if quote != 0 {
			for pos < len(rest) && rest[pos] != quote {
				pos++
			}
			pos++
		} else {
			for pos < len(rest) && !strings.ContainsRune(" \t\r\n>", rune(rest[pos])) {
				pos++
			}
		}
		_ = start
		k++
	}
	return line
}

// prepare makes the scratch tree: ports, a certificate, the file each
// probe reaches, an htpasswd with fixes.ProbeUser for every AuthUserFile.
func (sb *scratch) prepare(parsed []*ast.File, probes []fixes.Request, files []ProveFile) error {
	sb.https = map[int]bool{}
	for _, p := range probes {
		if p.Addr == "" {
			continue
		}
		if _, ok := sb.ports[p.Port]; !ok {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			sb.ports[p.Port] = l.Addr().(*net.TCPAddr).Port
			l.Close()
		}
		sb.https[p.Port] = sb.https[p.Port] || p.HTTPS
	}
	if len(sb.ports) == 0 || probesHaveMain(probes) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		sb.ports[0] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	sb.cert, sb.key = filepath.Join(sb.dir, "server.crt"), filepath.Join(sb.dir, "server.key")
	if err := writeCertificate(sb.cert, sb.key); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(sb.root, "var/www/html"), 0o755); err != nil {
		return err
	}
	var made []string
	for _, p := range probes {
		file, ok := fixes.MappedFile(parsed, p)
		if ok {
			made = append(made, file)
		}
	}
	made = append(made, afterFiles(files, parsed, probes)...)
	// Deepest first: a path some request needs as a directory stays one.
	sort.Slice(made, func(i, j int) bool { return strings.Count(made[i], "/") > strings.Count(made[j], "/") })
	for _, file := range made {
		p := filepath.Join(sb.root, file)
		if strings.HasSuffix(file, "/") {
			p = filepath.Join(p, "index.html")
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			// A name one request needs as a file and another as a
			// directory: an index answers for it (without one httpd
			// refuses the directory, a 403 that is no access decision).
			p = filepath.Join(p, "index.html")
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			if errors.Is(err, syscall.ENOTDIR) {
				continue // a file where another request needs a directory
			}
			return err
		}
		// Every file is a WSGI script answering 200: under a
		// WSGIScriptAlias to a directory any name is one, and served as
		// a static file the script is a 200 all the same.
		body := "# wsgifix probe " + file + "\ndef application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'wsgifix probe\\n']\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil && !errors.Is(err, syscall.EISDIR) {
			return err
		}
	}
	sum := sha1.Sum([]byte(fixes.ProbePassword))
	htpasswd := []byte(fixes.ProbeUser + ":{SHA}" + base64.StdEncoding.EncodeToString(sum[:]) + "\n")
	for _, f := range parsed {
		var err error
		ast.Inspect(f, func(n ast.Node) bool {
			if d, ok := n.(*ast.Directive); ok && d.Is("DocumentRoot") && d.NumArgs() == 1 && strings.HasPrefix(d.Arg(0), "/") {
				if e := os.MkdirAll(filepath.Join(sb.root, d.Arg(0)), 0o755); e != nil {
					err = e
				}
			}
			if d, ok := n.(*ast.Directive); ok && d.Is("AuthUserFile") && d.NumArgs() == 1 && strings.HasPrefix(d.Arg(0), "/") {
				p := filepath.Join(sb.root, d.Arg(0))
				if e := os.MkdirAll(filepath.Dir(p), 0o755); e != nil {
					err = e
				} else if e := os.WriteFile(p, htpasswd, 0o644); e != nil {
					err = e
				}
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return filepath.WalkDir(sb.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Type()&os.ModeSymlink != 0 || p == sb.key {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode) // httpd's children run as www-data
	})
}

func probesHaveMain(probes []fixes.Request) bool {
	for _, p := range probes {
		if p.Addr == "" {
			return true
		}
	}
	return false
}

// serve starts httpd on one side of the run under context c, asks the
// probes of context k and stops it; 0 for the probes of other contexts.
func (sb *scratch) serve(ctx context.Context, bin string, files []ProveFile, c fixes.ServerContext, after bool, probes []fixes.Request, k int) ([]int, error) {
	label := "before"
	if after {
		label = "after"
	}
	run := filepath.Join(sb.dir, fmt.Sprintf("%s-%d", label, k))
	for _, d := range []string{"run", "logs", "conf"} {
		if err := os.MkdirAll(filepath.Join(run, d), 0o755); err != nil {
			return nil, err
		}
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("ServerRoot /etc/apache2")
	p("PidFile %s/run/httpd.pid", run)
	p("DefaultRuntimeDir %s/run", run)
	p("Mutex file:%s/run default", run)
	p("ErrorLog %s/logs/error.log", run)
	p("LogLevel warn")
	for _, mod := range []string{"mpm_event", "authz_core", "authz_host", "authz_user", "authn_core", "authn_file", "auth_basic",
		"access_compat", "alias", "mime", "dir", "env", "setenvif", "socache_shmcb", "ssl", "wsgi", "proxy", "proxy_http", "status",
		"authz_groupfile", "headers", "rewrite", "expires", "filter", "deflate"} {
		p("LoadModule %s_module %s/mod_%s.so", mod, modulesDir, mod)
	}
	if os.Geteuid() == 0 {
		p("User www-data")
		p("Group www-data")
	}
	p("ServerName localhost")
	// The scratch certificate, whatever the config names: a vhost that
	// sets none inherits the server's (so the lines of the config, whose
	// own certificate lines are commented out, keep their numbers).
	p("SSLCertificateFile %s", sb.cert)
	p("SSLCertificateKeyFile %s", sb.key)
	p("TypesConfig /etc/mime.types")
	p("WSGISocketPrefix %s/run/wsgi", run)
	p("SSLSessionCache shmcb:%s/run/ssl_scache(512000)", run)
	p("DocumentRoot %s/var/www/html", sb.root)
	ports := make([]int, 0, len(sb.ports))
	for casePort := range sb.ports {
		ports = append(ports, casePort)
	}
	sort.Ints(ports)
	for _, casePort := range ports {
		if sb.https[casePort] {
			p("Listen 127.0.0.1:%d https", sb.ports[casePort])
		} else {
			p("Listen 127.0.0.1:%d", sb.ports[casePort])
		}
	}
	b.WriteString(string(sb.relocate([]byte(c.Conf))))
	for i, f := range files {
		text := f.Before
		if after {
			text = f.After
		}
		conf := filepath.Join(run, "conf", fmt.Sprintf("%03d.conf", i))
		if err := os.WriteFile(conf, sb.relocate(text), 0o644); err != nil {
			return nil, err
		}
		p("Include %s", conf)
	}
	main := filepath.Join(run, "httpd.conf")
	if err := os.WriteFile(main, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, bin, "-t", "-f", main).CombinedOutput(); err != nil {
		return nil, &ConfigtestError{Side: label, Output: configtestOutput(out, run, files)}
	}
	cmd := exec.Command(bin, "-f", main, "-DFOREGROUND")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		// A child that has run a WSGI script hangs in Python's shutdown
		// until httpd kills it itself, seconds later; the answers are in
		// by now and nothing httpd made outlives the scratch tree (no
		// SysV IPC here), so the grace is short.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(300 * time.Millisecond):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}()
	for _, casePort := range ports {
		if err := waitPort(exited, fmt.Sprintf("127.0.0.1:%d", sb.ports[casePort])); err != nil {
			log, _ := os.ReadFile(filepath.Join(run, "logs", "error.log"))
			return nil, fmt.Errorf("httpd (%s): %v\n%s", label, err, log)
		}
	}
	out := make([]int, len(probes))
	for i, r := range probes {
		if r.Context != k {
			continue
		}
		port := sb.ports[r.Port]
		if r.Addr == "" {
			port = sb.ports[0]
		}
		s, err := askHTTPD(ctx, fmt.Sprintf("127.0.0.1:%d", port), r)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %v", r, label, err)
		}
		out[i] = s
	}
	return out, nil
}

// waitPort waits, a bounded number of times, for addr to accept.
func waitPort(exited <-chan struct{}, addr string) error {
	for try := 0; try < 100; try++ {
		select {
		case <-exited:
			return errors.New("httpd exited at startup")
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("nothing accepts connections on %s", addr)
}

// askHTTPD sends r to addr from r.Client and returns the status.
func askHTTPD(ctx context.Context, addr string, r fixes.Request) (int, error) {
	local, err := net.ResolveTCPAddr("tcp", r.Client+":0")
	if err != nil {
		return 0, err
	}
	dialer := &net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	tr := &http.Transport{
		Proxy:             nil, // 127.0.0.1 only, never through a proxy
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{ServerName: host, InsecureSkipVerify: true}, // the scratch certificate
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	scheme := "http"
	if r.HTTPS {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(ctx, "GET", scheme+"://"+host+r.Path, nil)
	if err != nil {
		return 0, err
	}
	if r.User != "" {
		req.SetBasicAuth(r.User, fixes.ProbePassword)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// writeCertificate writes a self-signed certificate for the scratch
// vhosts.
func writeCertificate(certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wsgifix-prove"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}
