package fixes

import (
	"fmt"
	"strings"
)

// All lists every pass in the order it runs. The order matters: structure is
// repaired before anything reads it, daemons are deduplicated before they are
// moved, the static alias exists before Location grants move onto it, and
// access syntax is migrated last.
var All = []*Pass{
	ContinuationBlanks,
	SectionTags,
	TypesetChars,
	EmptyServerName,
	ScriptAliasTarget,
	DuplicateDaemon,
	DaemonScope,
	StaticAlias,
	LocationAccess,
	AccessCompat,
	NameVirtualHost,
	DaemonSizing,
	ApplicationGroup,
}

// Lookup returns the pass named name.
func Lookup(name string) (*Pass, bool) {
	for _, p := range All {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// Select returns the passes to run, in registry order: the default ones plus
// enable, or exactly only when given, minus skip. Unknown names are errors.
func Select(only, skip, enable []string) ([]*Pass, error) {
	for _, list := range [][]string{only, skip, enable} {
		for _, n := range list {
			if _, ok := Lookup(n); !ok {
				return nil, fmt.Errorf("unknown pass %q (see 'wsgifix fixes')", n)
			}
		}
	}
	in := func(list []string, name string) bool {
		for _, n := range list {
			if n == name {
				return true
			}
		}
		return false
	}
	var out []*Pass
	for _, p := range All {
		on := p.Default || in(enable, p.Name)
		if len(only) > 0 {
			on = in(only, p.Name)
		}
		if on && !in(skip, p.Name) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Names returns the names of passes, comma separated.
func Names(passes []*Pass) string {
	n := make([]string, len(passes))
	for i, p := range passes {
		n[i] = p.Name
	}
	return strings.Join(n, ",")
}
