package rewrite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
)

// The parts of the scratch world (prove.go) that do not depend on how a
// config text is relocated into it.

// scratchDir makes the directory a proof runs in. httpd's children run as
// www-data when the prover is root, and a file they cannot reach answers
// 403 before and after alike, which would pass for a kept decision: so
// every directory above the scratch tree must let others through (a
// TMPDIR under a 0700 home does not), else the tree goes to /tmp.
func scratchDir() (string, error) {
	bases := []string{""}
	if os.Geteuid() == 0 {
		bases = []string{"", "/tmp", "/var/tmp"}
	}
	for _, base := range bases {
		dir, err := os.MkdirTemp(base, "wsgifix-prove-")
		if err != nil {
			continue
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		if os.Geteuid() != 0 || othersReach(dir) {
			return dir, nil
		}
		os.RemoveAll(dir)
	}
	return "", errors.New("no temporary directory that httpd's children (www-data) can reach: set TMPDIR to one whose parents all have o+x")
}

// othersReach reports whether every directory from / down to dir lets
// others search it.
func othersReach(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// afterFiles are the files the probes reach in the rewritten text (its
// WSGIScriptAlias may name wsgihandler.py where the original named the
// directory): the scratch tree holds them too, so that a request the
// rewrite sends elsewhere reaches a file there as well. None when the
// rewrite changed the vhosts, whose indexes the probes name.
func afterFiles(files []ProveFile, before []*ast.File, probes []fixes.Request) []string {
	after := make([]*ast.File, len(files))
	for i, f := range files {
		var err error
		if after[i], err = ast.Parse(f.Name, f.After); err != nil {
			return nil
		}
	}
	var out []string
	for _, p := range probes {
		p.Site = nil // the vhost by name: the rewrite may have repaired the vhosts
		if file, ok := fixes.MappedFile(after, p); ok {
			out = append(out, file)
		}
	}
	return out
}

// setModelAfter sets each row's ModelAfter: the model's verdict on the
// rewritten text (Unknown when the rewrite changed the vhosts, whose
// indexes the requests name).
func setModelAfter(rows []ProveRow, files []ProveFile, before []*ast.File) {
	after := make([]*ast.File, len(files))
	for i, f := range files {
		var err error
		if after[i], err = ast.Parse(f.Name, f.After); err != nil {
			return
		}
	}
	for i := range rows {
		r := rows[i].Request
		r.Site = nil // the vhost by name: the rewrite may have repaired the vhosts
		rows[i].ModelAfter = fixes.Decide(after, r)
	}
}

// joinContinuations joins each line continued with a backslash right
// before its line ending to the next, as httpd reads it (server/util.c),
// and puts the line endings it removed after the joined line as empty
// lines: a text relocated line by line then keeps its line numbers, and
// httpd's messages name the lines of the user's file.
func joinContinuations(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	pad := 0
	for len(src) > 0 {
		i := strings.IndexByte(src, '\n')
		line := src
		if i >= 0 {
			line, src = src[:i+1], src[i+1:]
		} else {
			src = ""
		}
		body := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if i >= 0 && strings.HasSuffix(body, `\`) {
			b.WriteString(body[:len(body)-1])
			pad++
			continue
		}
		b.WriteString(line)
		if pad > 0 {
			if !strings.HasSuffix(line, "\n") {
				b.WriteByte('\n')
			}
			b.WriteString(strings.Repeat("\n", pad))
			pad = 0
		}
	}
	return b.String()
}

// configtestOutput is apache2 -t's message with the scratch paths of the
// run's files replaced by their own names.
func configtestOutput(out []byte, run string, files []ProveFile) string {
	s := strings.ReplaceAll(string(out), filepath.Join(run, "httpd.conf"), "the scratch httpd.conf")
	for i, f := range files {
		s = strings.ReplaceAll(s, filepath.Join(run, "conf", fmt.Sprintf("%03d.conf", i)), f.Name)
	}
	return strings.ReplaceAll(s, run+"/conf/", "")
}
