package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

// TestAccessGoldensUnderHTTPD serves every access golden (access-compat,
// location-access), input and output, with real httpd (rewrite.Prove)
// and holds both the passes and the model to it: every request whose
// access decision the output changes must be one a finding of the golden
// declares, and the model's verdict on the input must be httpd's.
func TestAccessGoldensUnderHTTPD(t *testing.T) {
	requireHTTPD(t)
	var cases []string
	for _, pass := range []string{"access-compat", "location-access"} {
		m, _ := filepath.Glob(filepath.Join("..", "fixes", "testdata", pass, "*.txtar"))
		cases = append(cases, m...)
	}
	if len(cases) < 20 {
		t.Fatalf("found %d access goldens", len(cases))
	}
	served := 0
	defer func() {
		if served < len(cases)/2 {
			t.Errorf("only %d of %d access goldens could be served", served, len(cases))
		}
	}()
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.Base(filepath.Dir(c))+"/"+filepath.Base(c), ".txtar")
		t.Run(name, func(t *testing.T) {
			a, err := txtar.ParseFile(c)
			if err != nil {
				t.Fatal(err)
			}
			files, findings := goldenRun(a)
			rows, err := rewrite.Prove(context.Background(), files, findings)
			var ce *rewrite.ConfigtestError
			if errors.As(err, &ce) && ce.Side == "before" {
				// Goldens that test what httpd refuses cannot be served.
				t.Skipf("the input is not a configuration httpd serves: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			served++
			changed := 0
			for _, r := range rows {
				if r.Changed() && !r.Declared {
					t.Errorf("%s (%s): %d before, %d after, and no finding declares it", r.Request, r.Context, r.Before, r.After)
				}
				if r.Changed() {
					changed++
				}
				if r.ModelDisagrees() {
					t.Errorf("%s (%s): httpd answers %d, the model says %v", r.Request, r.Context, r.Before, r.Model)
				}
			}
			t.Logf("%d requests, %d changed on purpose", len(rows), changed)
		})
	}
}

// goldenRun reads a golden's input and output files (no output: the same
// as the input) and its findings.
func goldenRun(a *txtar.Archive) ([]rewrite.ProveFile, []fixes.Finding) {
	var files []rewrite.ProveFile
	out := map[string][]byte{}
	var findings []fixes.Finding
	for _, f := range a.Files {
		switch {
		case f.Name == "in.conf" || strings.HasPrefix(f.Name, "in/"):
			files = append(files, rewrite.ProveFile{Name: strings.TrimPrefix(f.Name, "in/"), Before: f.Data})
		case f.Name == "out.conf" || strings.HasPrefix(f.Name, "out/"):
			out[strings.TrimPrefix(strings.Replace(f.Name, "out.conf", "in.conf", 1), "out/")] = f.Data
		case f.Name == "findings":
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l != "" {
					findings = append(findings, fixes.Finding{Message: l})
				}
			}
		}
	}
	for i := range files {
		files[i].After = files[i].Before
		if b, ok := out[files[i].Name]; ok {
			files[i].After = b
		}
	}
	return files, findings
}
