package main

import (
	"fmt"
	"runtime/debug"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

func (a *app) fixesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "fixes",
		Short: "List the fix passes in the order they run",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
			for _, p := range fixes.All {
				policy := "default"
				if !p.Default {
					policy = "opt-in"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, policy, p.Title)
			}
			return tw.Flush()
		},
	}
}

func (a *app) explainCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "explain NAME",
		Short: "Show a pass's documentation with a before/after example",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return passNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if args[0] == rewrite.IncludePass {
				fmt.Fprintf(a.stdout, "%s: findings made while following Include (--include)\n\n%s\n", rewrite.IncludePass, rewrite.IncludeDoc)
				return nil
			}
			p, ok := fixes.Lookup(args[0])
			if !ok {
				return fmt.Errorf("unknown pass %q (see 'wsgifix fixes')", args[0])
			}
			policy := "on by default (--skip " + p.Name + " to turn it off)"
			if !p.Default {
				policy = "opt-in (--enable " + p.Name + ")"
			}
			fmt.Fprintf(a.stdout, "%s: %s\n%s\n\n%s\n", p.Name, p.Title, policy, p.Doc)
			return nil
		},
	}
}

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(a.stdout, "wsgifix %s\n", versionString())
			return nil
		},
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
