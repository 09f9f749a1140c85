package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type module struct{ name, file string }

// baseModules are all the output may rely on: no mod_access_compat, so an
// Order/Allow/Deny left in the output is an invalid command.
var baseModules = []module{
	{"mpm_event_module", "mod_mpm_event.so"},
	{"authz_core_module", "mod_authz_core.so"},
	{"authz_host_module", "mod_authz_host.so"},
	{"alias_module", "mod_alias.so"},
	{"mime_module", "mod_mime.so"},
	{"socache_shmcb_module", "mod_socache_shmcb.so"},
	{"ssl_module", "mod_ssl.so"},
	{"wsgi_module", "mod_wsgi.so"},
}

// accessCompatModule is loaded for originals (stock Debian enables it, so
// they fail for the reason FACTS.md gives, not for Order) and for
// --apache 2.2 output.
var accessCompatModule = module{"access_compat_module", "mod_access_compat.so"}

// mainConfig is the httpd.conf the suite writes around a case: everything
// under dir, modules from Debian's paths, and nothing served unless the
// case grants it.
type mainConfig struct {
	dir          string   // sandbox: run/, logs/, htdocs/
	serverRoot   string   // "" for Debian's /etc/apache2
	accessCompat bool     // load mod_access_compat and deny / in 2.2 syntax
	listen       []string // "PORT" or "PORT https"
	include      []string // absolute globs
}

func (m mainConfig) path() string     { return filepath.Join(m.dir, "httpd.conf") }
func (m mainConfig) errorLog() string { return filepath.Join(m.dir, "logs", "error.log") }

func (m mainConfig) render() []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# written by the wsgifix e2e suite")
	root := m.serverRoot
	if root == "" {
		root = "/etc/apache2"
	}
	p("ServerRoot %s", root)
	p("PidFile %s/run/httpd.pid", m.dir)
	p("DefaultRuntimeDir %s/run", m.dir)
	p("Mutex file:%s/run default", m.dir)
	p("ErrorLog %s", m.errorLog())
	p("LogLevel warn")
	mods := baseModules
	if m.accessCompat {
		mods = append(mods, accessCompatModule)
	}
	for _, mod := range mods {
		p("LoadModule %s %s/%s", mod.name, modulesDir, mod.file)
	}
	p("User www-data")
	p("Group www-data")
	p("ServerName localhost")
	p("DocumentRoot %s/htdocs", m.dir)
	p("TypesConfig /etc/mime.types")
	p("WSGISocketPrefix %s/run/wsgi", m.dir)
	p("SSLSessionCache shmcb:%s/run/ssl_scache(512000)", m.dir)
	p("<Directory />")
	if m.accessCompat {
		// With 2.2 rules in the case, a 2.4 "Require all denied" here
		// would still apply below them (authz merges separately).
		p("    Order deny,allow")
		p("    Deny from all")
	} else {
		p("    Require all denied")
	}
	p("</Directory>")
	for _, l := range m.listen {
		p("Listen 127.0.0.1:%s", l)
	}
	for _, inc := range m.include {
		p("Include %s", inc)
	}
	return b.Bytes()
}

// write writes httpd.conf and the directories it names.
func (m mainConfig) write() error {
	for _, d := range []string{"run", "logs", "htdocs"} {
		if err := os.MkdirAll(filepath.Join(m.dir, d), 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(m.path(), m.render(), 0o644)
}

// configtest runs `apache2 -t` and returns its output and whether it passed.
func configtest(bin, conf string) (string, bool) {
	out, err := exec.Command(bin, "-t", "-f", conf).CombinedOutput()
	return string(out), err == nil
}

// httpd is a running server, started in the foreground as our child in its
// own process group, so stopping it also ends mod_wsgi's daemons.
type httpd struct {
	cmd      *exec.Cmd
	exited   chan struct{}
	output   string // file with httpd's stdout and stderr (startup messages)
	errorLog string
	guard    *exec.Cmd
}

// startHTTPD starts httpd on m; if the test binary dies before stopping
// it, the guard stops it and removes litter, the sandbox of the case.
func startHTTPD(bin string, m mainConfig, litter string) (*httpd, error) {
	h := &httpd{exited: make(chan struct{}), errorLog: m.errorLog(), output: filepath.Join(m.dir, "logs", "httpd.out")}
	out, err := os.Create(h.output)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	h.cmd = exec.Command(bin, "-f", m.path(), "-DFOREGROUND")
	h.cmd.Stdout = out
	h.cmd.Stderr = out
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := h.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { h.cmd.Wait(); close(h.exited) }()
	if err := h.startGuard(litter); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

// startGuard starts a watcher that stops httpd's process group and
// removes litter if this test binary dies without stopping httpd (a
// -timeout panic runs no defers or cleanups; Ctrl-C): it blocks reading a
// pipe only we write to, and the kernel closes our end when we die. It has
// its own process group, so a Ctrl-C that kills us does not kill it too.
// (Pdeathsig on httpd did not survive httpd's start-up here.)
func (h *httpd) startGuard(litter string) error {
	if !filepath.IsAbs(litter) || strings.ContainsAny(litter, "'\n") {
		return fmt.Errorf("guard: will not remove %q", litter)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	pgid := h.cmd.Process.Pid
	h.guard = exec.Command("/bin/sh", "-c", fmt.Sprintf(
		"read _; kill -TERM -%d; sleep 1; kill -KILL -%d 2>/dev/null; rm -rf '%s'", pgid, pgid, litter))
	h.guard.Stdin = r
	h.guard.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := h.guard.Start(); err != nil {
		w.Close()
		return err
	}
	// w stays open, unreferenced but for this goroutine, until stop
	// kills the guard; os.Pipe's ends are close-on-exec, so httpd and
	// its children never hold it.
	go func() { h.guard.Wait(); w.Close() }()
	return nil
}

// waitListening waits, a bounded number of times, until every addr accepts
// a connection; it fails early if httpd exits.
func (h *httpd) waitListening(addrs []string) error {
	for _, addr := range addrs {
		for try := 0; ; try++ {
			select {
			case <-h.exited:
				return fmt.Errorf("httpd exited at startup: %s%s", h.startupOutput(), h.logTail(20))
			default:
			}
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if try == 50 {
				return fmt.Errorf("httpd does not accept connections on %s: %v%s", addr, err, h.logTail(20))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// A connection may have reached another server on a port httpd
	// failed to bind; httpd then exits right away.
	select {
	case <-h.exited:
		return fmt.Errorf("httpd exited at startup: %s%s", h.startupOutput(), h.logTail(20))
	case <-time.After(100 * time.Millisecond):
	}
	return nil
}

// stop ends httpd: SIGTERM first, so it stops its children and the WSGI
// daemons and removes what it made; then SIGKILL for what is left of its
// process group. The grace is short because a mod_wsgi daemon that has
// served a request hangs in Python's shutdown here until httpd kills it
// itself, three seconds later.
func (h *httpd) stop() {
	pgid := h.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(time.Second):
	}
	// The group may be gone already (ESRCH): that is the good case.
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		fmt.Fprintf(os.Stderr, "e2e: kill httpd process group %d: %v\n", pgid, err)
	}
	<-h.exited
	// Only now: should we die while stopping, the guard finishes the job.
	if h.guard != nil {
		h.guard.Process.Kill()
	}
}

// bindFailed says whether httpd could not bind its ports.
func (h *httpd) bindFailed() bool {
	return strings.Contains(h.startupOutput()+h.logTail(20), "Address already in use")
}

func (h *httpd) startupOutput() string {
	b, _ := os.ReadFile(h.output)
	return string(b)
}

// logTail returns the last n lines of the error log, for failure messages.
func (h *httpd) logTail(n int) string {
	b, err := os.ReadFile(h.errorLog)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\nerror.log (tail):\n" + strings.Join(lines, "\n")
}
