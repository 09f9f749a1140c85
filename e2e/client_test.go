package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// endpoint is one of a served case's vhosts as a client sees it: it dials
// 127.0.0.1 only, and sends the Host (and SNI) the case's vhost expects.
type endpoint struct {
	scheme string // "http" or "https"
	addr   string // 127.0.0.1:PORT httpd listens on
	port   int    // PORT
	host   string // Host header: name, plus ":PORT" when the case's port is not the scheme's default
	client *http.Client
}

// newEndpoint builds the endpoint for a vhost the case has on casePort and
// httpd serves on listenPort. The Host header carries the case's port,
// omitted on 80/443, as the case's own clients would send it.
func newEndpoint(scheme, name string, casePort, listenPort int, pool *x509.CertPool) endpoint {
	e := endpoint{scheme: scheme, addr: fmt.Sprintf("127.0.0.1:%d", listenPort), port: listenPort, host: name}
	if !(scheme == "http" && casePort == 80 || scheme == "https" && casePort == 443) {
		e.host = fmt.Sprintf("%s:%d", name, casePort)
	}
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: name},
		DisableKeepAlives: true,
		Proxy:             nil, // never through a proxy: 127.0.0.1 only
	}
	e.client = &http.Client{
		Transport: tr,
		Timeout:   15 * time.Second, // the first request waits for the WSGI daemon to start
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return e
}

type response struct {
	status int
	body   string
}

// get requests rawPath exactly as written (no cleaning of "..", no
// re-escaping), as an attacker would send it.
func (e endpoint) get(rawPath string) (response, error) {
	req := &http.Request{
		Method: "GET",
		URL:    &url.URL{Scheme: e.scheme, Host: e.addr, Opaque: rawPath},
		Host:   e.host,
		Header: http.Header{},
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("GET %s://%s%s: %w", e.scheme, e.host, rawPath, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return response{}, fmt.Errorf("GET %s://%s%s: %w", e.scheme, e.host, rawPath, err)
	}
	return response{resp.StatusCode, string(body)}, nil
}

func (e endpoint) String() string { return e.scheme + "://" + e.host + " (" + e.addr + ")" }

// appAnswer is what the fake app reports, or nil when r is not its answer.
func appAnswer(r response) map[string]string {
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, appMarker+"\n") {
		return nil
	}
	out := map[string]string{}
	for _, line := range strings.Split(r.body, "\n")[1:] {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}
