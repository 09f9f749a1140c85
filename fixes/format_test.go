package fixes

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
)

// sprintf must write exactly what fmt.Sprintf writes, for the verbs it
// handles itself and for everything it hands to fmt.
func TestSprintfIsFmt(t *testing.T) {
	formats := []string{
		"", "plain", "%s", "%q", "%d", "%%", "100%% of %s", "%s:%d:%d: [%s] %q",
		"%q and %q", "%v", "%5d", "%-3s|", "%x", "%+q", "%", "%s %", "%d%%",
	}
	values := []any{
		"", "a", `say "hi"`, `back\slash`, "tab\there", "ünïcode", "\x00\x7f", "é\xff",
		0, -7, 1 << 40, int64(3), uint8(4), 2.5, true, nil,
	}
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 20000; n++ {
		format := formats[r.Intn(len(formats))]
		args := make([]any, r.Intn(4))
		for i := range args {
			args[i] = values[r.Intn(len(values))]
		}
		if got, want := sprintf(format, args...), fmt.Sprintf(format, args...); got != want {
			t.Fatalf("sprintf(%q, %#v) = %q, fmt says %q", format, args, got, want)
		}
	}
}

// An argument sprintf does not take (see TestReportArgsArePlain) is
// named, not formatted: its String or Error method is never called.
func TestSprintfNamesUnsupportedArguments(t *testing.T) {
	for _, c := range []struct {
		format string
		arg    any
		want   string
	}{
		{"%s", errors.New("e"), "%!v(*errors.errorString)"},
		{"%s", Error, "%!v(fixes.Severity)"},
		{"x %v", []string{"x"}, "x %!v([]string)"},
	} {
		if got := sprintf(c.format, c.arg); got != c.want {
			t.Errorf("sprintf(%q, %#v) = %q, want %q", c.format, c.arg, got, c.want)
		}
	}
}

// BenchmarkSprintf formats location-access's finding, the most frequent
// one in the benchmark config, a thousand times per op (scripts/bench.sh
// runs every benchmark 5 times only), and reports ns/msg.
func BenchmarkSprintf(b *testing.B) {
	tag := `<Location "/">`
	moved := `<Directory "/srv/site0/web2py/applications/*/static"> granted and <Directory "/srv/site0/web2py"> denied but for <Files "wsgihandler.py">`
	const perOp = 1000
	b.ReportAllocs()
	for b.Loop() {
		for range perOp {
			sprintf("%s grants access by URL, which other URLs reaching the same files bypass: moved to %s", tag, moved)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perOp), "ns/msg")
}
