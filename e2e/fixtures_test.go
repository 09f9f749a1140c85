package e2e

import (
	"errors"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

// TestCaseFiles checks the cases without httpd: every case.json loads, and
// each fixture really has the feature its case is about (gofmt's rule:
// fixtures prove their own feature).
func TestCaseFiles(t *testing.T) {
	cases, err := loadCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 15 {
		t.Errorf("%d cases, want the 3 corpus copies and at least 12 more", len(cases))
	}
	for _, c := range cases {
		if c.spec.Corpus != "" {
			if _, ok := c.files[c.spec.Corpus]; !ok || len(c.files) != 1 {
				t.Errorf("%s: a corpus case holds exactly its copy %q", c.name, c.spec.Corpus)
			}
		}
		for name, data := range c.files {
			lines := strings.Count(string(data), "\n")
			crlf := strings.Count(string(data), "\r\n")
			switch {
			case c.spec.CRLF && (lines == 0 || crlf != lines):
				t.Errorf("%s/%s: crlf is set but %d of %d lines end in CRLF", c.name, name, crlf, lines)
			case !c.spec.CRLF && crlf > 0:
				t.Errorf("%s/%s: has CRLF line endings but crlf is not set", c.name, name)
			}
			// A site names the web2py tree it serves (a main config that
			// only includes the sites need not).
			site := strings.Contains(strings.ToLower(string(data)), "<virtualhost")
			if site && !strings.Contains(string(data), c.spec.Root) {
				t.Errorf("%s/%s: does not name the web2py root %q", c.name, name, c.spec.Root)
			}
		}
		for link, target := range c.spec.Symlinks {
			if _, ok := c.files[path.Join(path.Dir(link), target)]; !ok {
				t.Errorf("%s: symlink %s -> %s points at no input file", c.name, link, target)
			}
		}
	}
}

func TestRelocation(t *testing.T) {
	r := relocation{
		caseRoot: "/home/web2py", root: "/tmp/sb/web2py",
		certFile: "/tmp/sb/ssl/server.crt", keyFile: "/tmp/sb/ssl/server.key",
		logDir: "/tmp/sb/out/logs", ports: map[int]int{80: 40080, 443: 40443},
	}
	in := "NameVirtualHost*:80\r\n" +
		"<virtualhost *:80>\r\n" +
		"  alias / /home/web2py/applications/\r\n" +
		"  WSGIDaemonProcess web2py home=/home/web2py/\r\n" +
		"  CustomLog ${APACHE_LOG_DIR}/access.log combined\r\n" +
		"</virtualhost>\r\n" +
		"<VirtualHost 127.0.0.1:443 *:8080>\n" +
		"\tsslcertificatefile \"/etc/apache2/ssl/server.crt\"\n" +
		"\tSSLCertificateKeyFile /etc/ssl/private/x.key\n" +
		"\tErrorLog \"/var/log/apache2/error.log\"\n" +
		"\t# comment *:80 /home/web2py/x\n" +
		"</VirtualHost>"
	want := "NameVirtualHost*:40080\r\n" +
		"<virtualhost *:40080>\r\n" +
		"  alias / /tmp/sb/web2py/applications/\r\n" +
		"  WSGIDaemonProcess web2py home=/tmp/sb/web2py/\r\n" +
		"  CustomLog /tmp/sb/out/logs/access.log combined\r\n" +
		"</virtualhost>\r\n" +
		"<VirtualHost 127.0.0.1:40443 *:8080>\n" +
		"\tsslcertificatefile /tmp/sb/ssl/server.crt\n" +
		"\tSSLCertificateKeyFile /tmp/sb/ssl/server.key\n" +
		"\tErrorLog /tmp/sb/out/logs/error.log\n" +
		"\t# comment *:40080 /tmp/sb/web2py/x\n" +
		"</VirtualHost>"
	if d := difftest.Diff(want, string(r.apply([]byte(in)))); d != "" {
		t.Errorf("relocated config differs:\n%s", d)
	}
}

func TestEndpointHost(t *testing.T) {
	for _, tc := range []struct {
		scheme           string
		casePort, listen int
		want             string
	}{
		{"http", 80, 80, "www.example.com"},
		{"http", 80, 40080, "www.example.com"}, // 80 busy: Host keeps the case's default port
		{"https", 443, 40443, "www.example.com"},
		{"http", 8080, 40080, "www.example.com:8080"},
		{"https", 8443, 40443, "www.example.com:8443"},
		{"https", 80, 40443, "www.example.com:80"},
	} {
		e := newEndpoint(tc.scheme, "www.example.com", tc.casePort, tc.listen, nil)
		if e.host != tc.want {
			t.Errorf("%s on case port %d: Host %q, want %q", tc.scheme, tc.casePort, e.host, tc.want)
		}
		if want := "127.0.0.1:" + strconv.Itoa(tc.listen); e.addr != want {
			t.Errorf("%s on case port %d: dials %q, want %q", tc.scheme, tc.casePort, e.addr, want)
		}
	}
}

func TestGate(t *testing.T) {
	missing := errors.New("apache2 is not installed")
	for _, tc := range []struct {
		e2e, ci string
		missing error
		want    gateResult
	}{
		{"", "", nil, gateRun},
		{"", "", missing, gateSkip},
		{"", "true", missing, gateFail},
		{"1", "", missing, gateFail},
		{"1", "true", nil, gateRun},
		{"0", "true", nil, gateOff},
		{"", "false", missing, gateSkip},
	} {
		if got := gate(tc.e2e, tc.ci, tc.missing); got != tc.want {
			t.Errorf("WSGIFIX_E2E=%q CI=%q missing=%v: got %d, want %d", tc.e2e, tc.ci, tc.missing, got, tc.want)
		}
	}
}
