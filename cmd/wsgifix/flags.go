package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/wsgifix/wsgifix/fixes"
)

// options are the flags of diff, fix and check, bound per invocation.
type options struct {
	only, skip, enable []string
	fix                fixes.Options
	format             string
	jobs               int
	include            bool
	serverRoot         string

	// diff only
	prove bool

	// fix only
	noBackup  bool
	verify    bool
	apachectl string
}

func (o *options) bind(c *cobra.Command, m mode) {
	f := c.Flags()
	o.fix = fixes.DefaultOptions()
	f.StringSliceVar(&o.only, "only", nil, "run only these passes (comma list)")
	f.StringSliceVar(&o.skip, "skip", nil, "do not run these passes (comma list)")
	f.StringSliceVar(&o.enable, "enable", nil, "also run these opt-in passes (comma list)")
	f.StringVar(&o.fix.DaemonScope, "daemon-scope", o.fix.DaemonScope, "where WSGIDaemonProcess lives: vhost or global")
	f.StringVar(&o.fix.DaemonConflict, "daemon-conflict", o.fix.DaemonConflict, "conflicting duplicate daemons: report, keep-first or rename")
	f.StringVar(&o.fix.ServerName, "server-name", "", "fill an empty ServerName with this name (default: comment it out)")
	f.StringVar(&o.fix.WSGIScript, "wsgi-script", o.fix.WSGIScript, "script file for a WSGIScriptAlias that names the web2py directory")
	f.StringVar(&o.fix.Apache, "apache", o.fix.Apache, "target httpd version for access control: 2.4 or 2.2")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "files processed in parallel (0: one per CPU for parsing and diffing, more for writing)")
	f.BoolVar(&o.include, "include", false, "treat PATH as a main config and follow Include/IncludeOptional like httpd")
	f.StringVar(&o.serverRoot, "server-root", "", "ServerRoot for --include when the config sets none (default: the main config's directory)")
	if m == modeDiff {
		f.BoolVar(&o.prove, "prove", false, "serve the files before and after with real apache2 on 127.0.0.1 and compare the access decisions")
	}
	if m == modeFix {
		f.BoolVar(&o.noBackup, "no-backup", false, "do not keep FILE.wsgifix-bak")
		f.BoolVar(&o.verify, "verify", false, "run --apachectl after writing and restore every file if it fails")
		f.StringVar(&o.apachectl, "apachectl", "apachectl -t", "configtest command for --verify")
	}
	complete := func(name string, values ...string) {
		_ = c.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		})
	}
	names := passNames()
	complete("only", names...)
	complete("skip", names...)
	complete("enable", names...)
	complete("daemon-scope", "vhost", "global")
	complete("daemon-conflict", "report", "keep-first", "rename")
	complete("apache", "2.4", "2.2")
	complete("format", "text", "json")
}

func passNames() []string {
	names := make([]string, len(fixes.All))
	for i, p := range fixes.All {
		names[i] = p.Name
	}
	return names
}

// validate checks what the passes' own validation does not.
func (o *options) validate() error {
	if o.format != "text" && o.format != "json" {
		return usageErrorf("invalid --format %q: want text or json", o.format)
	}
	if o.jobs < 0 {
		return usageErrorf("invalid -j %d: want 0 (automatic) or more", o.jobs)
	}
	if o.verify && strings.TrimSpace(o.apachectl) == "" {
		return usageErrorf("--verify needs an --apachectl command")
	}
	return o.fix.Validate()
}
