package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sandbox is one case's temporary world: the fake web2py tree, the
// certificate, the case's files (sandbox/case, where wsgifix runs) and one
// directory per configuration httpd checks or serves.
type sandbox struct {
	dir  string
	bin  string // apache2
	c    *testCase
	tree *web2pyTree
	cert *certificate
	// freePortsOnly keeps httpd off 80/443 even when they are free, to
	// test the default-port rule in checkSharedInterpreter.
	freePortsOnly bool
}

func (sb *sandbox) caseDir() string { return filepath.Join(sb.dir, "case") }

func newSandbox(t *testing.T, bin string, c *testCase) *sandbox {
	t.Helper()
	dir, err := os.MkdirTemp("", "wsgifix-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sb := &sandbox{dir: dir, bin: bin, c: c}
	if sb.tree, err = makeWeb2pyTree(filepath.Join(dir, "web2py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "ssl"), 0o755); err != nil {
		t.Fatal(err)
	}
	names := []string{"localhost"}
	for _, n := range []string{c.spec.HostHTTP, c.spec.HostHTTPS} {
		if n != "" && n != "localhost" {
			names = append(names, n)
		}
	}
	sb.cert, err = makeCertificate(filepath.Join(dir, "ssl", "server.crt"), filepath.Join(dir, "ssl", "server.key"), names)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeCase(sb.caseDir(), c); err != nil {
		t.Fatal(err)
	}
	// www-data (httpd's children and the WSGI daemon) must read the tree
	// whatever the umask: MkdirTemp makes 0700.
	if err := openUp(dir); err != nil {
		t.Fatal(err)
	}
	return sb
}

// openUp makes dirs 0755 and files 0644 below dir, keeping the key 0600.
func openUp(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.Type()&os.ModeSymlink != 0, strings.HasSuffix(p, ".key"):
			return nil
		case d.IsDir():
			return os.Chmod(p, 0o755)
		}
		return os.Chmod(p, 0o644)
	})
}

// portMap maps the case's vhost ports to the ports httpd listens on.
type portMap struct {
	ports map[int]int
	real  bool // the case's own ports 80 and 443
}

// choosePorts uses 80 and 443 themselves when the case has them and they
// are free on 127.0.0.1 (only there can the shared sub-interpreter be seen
// directly), else free ports the kernel picks. Non-default case ports
// always get free ports: any port but 80/443 behaves the same for mod_wsgi.
func choosePorts(c *testCase, tryReal bool) (portMap, error) {
	casePorts := []int{c.spec.HTTPPort}
	if c.hasHTTPS() {
		casePorts = append(casePorts, c.spec.HTTPSPort)
	}
	if tryReal && c.spec.HTTPPort == 80 && (!c.hasHTTPS() || c.spec.HTTPSPort == 443) {
		if pm, ok := bindAll(casePorts); ok {
			return pm, nil
		}
	}
	pm := portMap{ports: map[int]int{}}
	for _, p := range casePorts {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return pm, err
		}
		pm.ports[p] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	return pm, nil
}

// bindAll says whether every port can be bound on 127.0.0.1 right now.
func bindAll(ports []int) (portMap, bool) {
	pm := portMap{ports: map[int]int{}, real: true}
	for _, p := range ports {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return pm, false
		}
		l.Close()
		pm.ports[p] = p
	}
	return pm, true
}

// render writes the configuration tree src, relocated, under
// sandbox/label/conf, and an httpd.conf around it in sandbox/label.
func (sb *sandbox) render(label, src string, pm portMap, accessCompat bool) (mainConfig, error) {
	dir := filepath.Join(sb.dir, label)
	if err := os.RemoveAll(dir); err != nil {
		return mainConfig{}, err
	}
	conf := filepath.Join(dir, "conf")
	m := mainConfig{dir: dir, accessCompat: accessCompat}
	rel := relocation{
		caseRoot: sb.c.spec.Root, root: sb.tree.root,
		certFile: sb.cert.certFile, keyFile: sb.cert.keyFile,
		logDir: filepath.Join(dir, "logs"), ports: pm.ports,
	}
	if err := copyTree(src, conf, rel.apply); err != nil {
		return m, err
	}
	if sb.c.spec.ServerRootConf {
		m.serverRoot = conf
	}
	m.listen = []string{fmt.Sprint(pm.ports[sb.c.spec.HTTPPort])}
	if sb.c.hasHTTPS() {
		m.listen = append(m.listen, fmt.Sprintf("%d https", pm.ports[sb.c.spec.HTTPSPort]))
	}
	for _, inc := range sb.c.spec.Include {
		m.include = append(m.include, filepath.Join(conf, filepath.FromSlash(inc)))
	}
	if err := m.write(); err != nil {
		return m, err
	}
	return m, openUp(dir)
}

// confDirPrefix is what paths in httpd's messages about label start with.
func (sb *sandbox) confDirPrefix(label string) string {
	return filepath.Join(sb.dir, label, "conf") + string(filepath.Separator)
}

// serve checks and starts the configuration tree src under label. The
// caller stops it (served.stop) when done, also on failure.
func (sb *sandbox) serve(t *testing.T, label, src string, accessCompat bool) (*served, error) {
	pm, err := choosePorts(sb.c, !sb.freePortsOnly)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		m, err := sb.render(label, src, pm, accessCompat)
		if err != nil {
			return nil, err
		}
		if out, ok := configtest(sb.bin, m.path()); !ok {
			return nil, fmt.Errorf("apache2 -t fails:\n%s", strings.ReplaceAll(out, sb.confDirPrefix(label), ""))
		}
		h, err := startHTTPD(sb.bin, m, sb.dir)
		if err != nil {
			return nil, err
		}
		s := sb.endpoints(pm)
		s.httpd = h
		var addrs []string
		for _, e := range s.endpoints {
			addrs = append(addrs, e.addr)
		}
		err = h.waitListening(addrs)
		if err == nil {
			return s, nil
		}
		s.stop()
		// Someone took a port between our probe and httpd's bind.
		if !h.bindFailed() || attempt == 2 {
			return nil, err
		}
		t.Logf("a port was taken meanwhile: %v; trying free ports", err)
		if pm, err = choosePorts(sb.c, false); err != nil {
			return nil, err
		}
	}
}

func (sb *sandbox) endpoints(pm portMap) *served {
	c := sb.c
	host := func(name string) string {
		if name == "" {
			return "localhost" // the main server's ServerName, inherited
		}
		return name
	}
	s := &served{c: c, tree: sb.tree, realPorts: pm.real}
	s.endpoints = append(s.endpoints, newEndpoint("http", host(c.spec.HostHTTP), c.spec.HTTPPort, pm.ports[c.spec.HTTPPort], sb.cert.pool))
	if c.hasHTTPS() {
		s.endpoints = append(s.endpoints, newEndpoint("https", host(c.spec.HostHTTPS), c.spec.HTTPSPort, pm.ports[c.spec.HTTPSPort], sb.cert.pool))
	}
	return s
}
