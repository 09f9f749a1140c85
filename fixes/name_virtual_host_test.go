package fixes

import "testing"

func TestGluedAddress(t *testing.T) {
	for name, want := range map[string]string{
		"NameVirtualHost*:80":       "*:80",
		"namevirtualhost[::1]:8080": "[::1]:8080",
		"NameVirtualHost10.0.0.1":   "10.0.0.1",
		"NameVirtualHost_default_":  "_default_",
		"NameVirtualHost":           "",
		"NameVirtualHosts":          "",
		"ServerName*:80":            "",
	} {
		if got := gluedAddress(name); got != want {
			t.Errorf("gluedAddress(%q) = %q, want %q", name, got, want)
		}
	}
}
