package fixes

import "strconv"

// A Request is one request whose access decision the model (Decide) and
// real httpd (rewrite's prover) are asked for: which site it reaches, the
// URL path, who sends it and from where.
type Request struct {
	// Site is the <VirtualHost> it reaches, nil for the main server. It is
	// what Decide reads; the fields below are what a client sends.
	Site  *siteKey
	Host  string // the Host header: the site's ServerName, "" for none
	Addr  string // the vhost's first address as written ("*:443"), "" for the main server
	Port  int    // the port in Addr, 80 when none is written
	HTTPS bool   // the site has SSLEngine on
	Path  string // the URL path, starting with "/"
	// Client is the client's IPv4 address: ProbeClient, or another
	// 127.0.0.0/8 address where the config names one, so that a real
	// httpd on loopback can be asked too.
	Client string
	// User is ProbeUser with ProbePassword over Basic authentication, or
	// "" for an anonymous request.
	User string
	// Context is the index in ServerContexts of the server level assumed
	// around the files: a run without a server-level <Directory /> is
	// proved under each of them.
	Context int
}

// A ServerContext is a server level assumed around the files of a run, as
// the lines an httpd.conf would hold before including them.
type ServerContext struct {
	Name string // "httpd's compiled-in default", "Debian's <Directory /> denied"...
	Conf string // httpd.conf lines, "" for none
}

// siteKey names a site inside the model without holding its tree.
type siteKey struct{ index int }

// The credentials and address the probes use. The prover writes
// ProbeUser into every AuthUserFile of its scratch tree.
const (
	ProbeUser     = "wsgifix-probe"
	ProbePassword = "wsgifix-probe-password"
	ProbeClient   = "127.0.0.1"
)

// String is the request as a table row names it:
// "https://www.example.com:443/admin/ (anonymous, from 127.0.0.1)".
func (r Request) String() string {
	scheme := "http"
	if r.HTTPS {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	who := "anonymous"
	if r.User != "" {
		who = "as " + r.User
	}
	return scheme + "://" + host + ":" + strconv.Itoa(r.Port) + r.Path + " (" + who + ", from " + r.Client + ")"
}

// A Verdict is what httpd's access checks decide for a request, before any
// handler runs.
type Verdict uint8

const (
	Unknown      Verdict = iota // outside what the model knows: prove nothing from it
	Granted                     // access checks pass (the handler answers: 200, 404…)
	Unauthorized                // 401: authentication needed or failed
	Forbidden                   // 403
	ServerError                 // 500: e.g. AuthType with no Require, or Require valid-user with no AuthType
)

func (v Verdict) String() string {
	switch v {
	case Granted:
		return "granted"
	case Unauthorized:
		return "401"
	case Forbidden:
		return "403"
	case ServerError:
		return "500"
	}
	return "unknown"
}

// VerdictOf maps an HTTP status to the verdict it shows: 401, 403 and
// 500 are the access checks' own answers, any other status means they let
// the request through.
func VerdictOf(status int) Verdict {
	switch status {
	case 401:
		return Unauthorized
	case 403:
		return Forbidden
	case 500:
		return ServerError
	}
	return Granted
}
