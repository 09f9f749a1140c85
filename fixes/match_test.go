package fixes

import "testing"

func TestOption(t *testing.T) {
	for _, tc := range []struct{ in, key, value string }{
		{"process-group=web2py", "process-group", "web2py"},
		{`Process-Group="web2py"`, "process-group", "web2py"},
		{"home=/h/", "home", "/h/"},
		{`x='a b'`, "x", "a b"},
		{`x="`, "x", `"`},
	} {
		k, v, ok := Option(tc.in)
		if !ok || k != tc.key || v != tc.value {
			t.Errorf("Option(%q) = %q, %q, %v", tc.in, k, v, ok)
		}
	}
	if _, _, ok := Option("web2py"); ok {
		t.Error("an argument without '=' is not an option")
	}
}
