// Package genconf generates large broken web2py/mod_wsgi configurations for
// benchmarks and batch tests: N HTTP/HTTPS vhost pairs that repeat the
// mistakes of the circulated examples (duplicated WSGIDaemonProcess, Alias /
// shadowing WSGIScriptAlias, Location-based access, a <LocationMatch> closed
// by </Location>). It mirrors shared/tools/genconf.py byte for byte so Go
// benchmarks need no Python.
package genconf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// pair is the template; "{i}" stands for the pair number.
const pair = `### site {i}: requests on port 80
<VirtualHost *:80>
    ServerName site{i}.example.com
    # alias the location of applications (for static files)
    Alias / /srv/site{i}/web2py/applications/
    WSGIScriptAlias / /srv/site{i}/web2py/wsgihandler.py
    WSGIDaemonProcess site{i} user=www-data group=www-data \
        home=/srv/site{i}/web2py/ \
        processes=2 threads=15 maximum-requests=500
    <Location "/admin">
        SSLRequireSSL
    </Location>
    <LocationMatch "^(/[\w_]*/static/.*)">
        Order Allow,Deny
        Allow from all
    </Location>
    <Location "/">
        Order deny,allow
        Allow from all
        WSGIProcessGroup site{i}
    </Location>
    LogFormat "%h %l %u %t \"%r\" %>s %b" common
    CustomLog /var/log/apache2/site{i}.log common
</VirtualHost>
<VirtualHost *:443>
    ServerName site{i}.example.com
    Alias / /srv/site{i}/web2py/applications/
    WSGIScriptAlias / /srv/site{i}/web2py/wsgihandler.py
    WSGIDaemonProcess site{i} user=www-data group=www-data \
        home=/srv/site{i}/web2py/ \
        processes=2 threads=15 maximum-requests=500
    SSLEngine On
    SSLCertificateFile /etc/ssl/site{i}.crt
    SSLCertificateKeyFile /etc/ssl/site{i}.key
    <Location "/">
        Order deny,allow
        Allow from all
        WSGIProcessGroup site{i}
    </Location>
</VirtualHost>
`

var parts = strings.Split(pair, "{i}")

// Pair returns the text of pair i.
func Pair(i int) string { return strings.Join(parts, strconv.Itoa(i)) }

// Write writes pairs [0, n) to w as one configuration.
func Write(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for i := 0; i < n; i++ {
		num := strconv.Itoa(i)
		for k, p := range parts {
			if k > 0 {
				bw.WriteString(num)
			}
			bw.WriteString(p)
		}
	}
	return bw.Flush()
}

// Bytes returns n pairs as one configuration.
func Bytes(n int) []byte {
	var sb strings.Builder
	sb.Grow(n * (len(pair) + 40))
	Write(&sb, n)
	return []byte(sb.String())
}

// WriteTree writes dir/httpd.conf (all pairs) and dir/sites/siteI.conf (one
// pair each), the layout of genconf.py.
func WriteTree(dir string, n int) error {
	if err := os.MkdirAll(filepath.Join(dir, "sites"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), Bytes(n), 0o644); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		name := filepath.Join(dir, "sites", fmt.Sprintf("site%d.conf", i))
		if err := os.WriteFile(name, []byte(Pair(i)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// BenchPairs are the sizes the Go benchmarks run at: 1k, 10k and 100k
// pairs (1.4, 13.6 and 137.5 MB); with short (go test -short), the
// first two.
func BenchPairs(short bool) []int {
	if short {
		return []int{1000, 10000}
	}
	return []int{1000, 10000, 100000}
}
