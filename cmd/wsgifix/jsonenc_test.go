package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
)

// tricky are strings every escape rule of encoding/json applies to.
var tricky = []string{
	"", "plain", `"quoted" and \back\slashed`, "<Location \"/\"> & </Location>",
	"tab\tnew\nline\r\nfeed\fbell\a back\b nul\x00 del\x7f", "no\u00a0break, typeset ˆ, emoji 🙂",
	"bad \xff utf-8 \xc3", "line\u2028para\u2029end", strings.Repeat("long line with <tags>\n", 5000),
}

// FuzzJSONString: the hand-written string encoding is encoding/json's.
func FuzzJSONString(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		if _, err := writeJSONString(w, s, nil); err != nil || w.Flush() != nil || out.String() != string(want) {
			t.Fatalf("writeJSONString(%q) = %s (%v), want %s", s, out.String(), err, want)
		}
	})
}

// encodeReport writes what encoding/json writes for the whole report,
// byte for byte: files with and without findings, an error, fix -'s
// output, and strings that need every kind of escape.
func TestJSONReportAsEncodingJSON(t *testing.T) {
	var found []fixes.Finding
	for i, s := range tricky {
		found = append(found, fixes.Finding{
			File: s, Pos: ast.Pos{Line: i + 1, Col: 2}, Line: i + 1, Col: 2,
			Pass: "section-tags", Severity: fixes.Severity(i % 3), Message: s, Fixed: i%2 == 0,
		})
	}
	reports := []jsonReport{
		{Command: "check", Files: []jsonFile{}},
		{Command: "diff", Files: []jsonFile{}, Error: ptr("bad <input> \xff")},
		{Command: "diff", Files: []jsonFile{
			{Path: tricky[3], Changed: true, Findings: found, Diff: tricky[8] + tricky[6] + tricky[7]},
			{Path: "b.conf", Findings: []fixes.Finding{}, Error: ptr("b.conf: read: permission denied")},
		}},
		{Command: "fix", Files: []jsonFile{
			{Path: "<stdin>", Changed: true, Findings: found[:1], Output: ptr(tricky[4]), Written: false, Backup: "x.bak"},
		}, Error: ptr("verify failed")},
	}
	for i, rep := range reports {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		if err := encodeReport(w, rep); err != nil || w.Flush() != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("report %d:\n%s\nencoding/json:\n%s", i, got.String(), want.String())
		}
	}
}
