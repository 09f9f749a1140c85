package ast

// KnownSections are the section names of httpd 2.4 and its bundled modules,
// spelled as httpd spells them in its messages.
var KnownSections = []string{
	"AuthnProviderAlias", "AuthzProviderAlias", "Directory", "DirectoryMatch",
	"Else", "ElseIf", "Files", "FilesMatch", "If", "IfDefine", "IfDirective",
	"IfFile", "IfModule", "IfSection", "IfVersion", "Limit", "LimitExcept",
	"Location", "LocationMatch", "Macro", "MDomain", "MDomainSet", "Proxy",
	"ProxyMatch", "RequireAll", "RequireAny", "RequireNone", "VirtualHost",
}

// noArgSections open without arguments.
var noArgSections = []string{"Else", "RequireAll", "RequireAny", "RequireNone"}

// CanonicalSection returns httpd's spelling of a known section name, or
// name unchanged.
func CanonicalSection(name string) string {
	if k, ok := knownSection(name); ok {
		return k
	}
	return name
}

// IsKnownSection reports whether name is a section httpd knows.
func IsKnownSection(name string) bool {
	_, ok := knownSection(name)
	return ok
}

// knownSection finds name among KnownSections, ignoring case. Passes ask
// for every section of a config, so names are only compared with the
// known ones of the same length.
func knownSection(name string) (string, bool) {
	if len(name) >= len(sectionsByLen) {
		return "", false
	}
	for _, k := range sectionsByLen[len(name)] {
		if EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

var sectionsByLen = func() (by [24][]string) {
	for _, k := range KnownSections {
		by[len(k)] = append(by[len(k)], k)
	}
	return by
}()

// requiresArgs reports whether a section's open tag needs arguments, so that
// an argument-less one can only be a mistyped close tag.
func requiresArgs(name string) bool {
	for _, k := range noArgSections {
		if EqualFold(k, name) {
			return false
		}
	}
	return IsKnownSection(name)
}

// IsConditional reports whether a section is one of httpd's conditionals
// (IfModule, IfDefine…), which httpd accepts unclosed at end of file when true.
func IsConditional(name string) bool {
	// Passes ask this of every section they look into; nearly all names
	// fail on the first two letters.
	if len(name) < 6 || lower(name[0]) != 'i' || lower(name[1]) != 'f' {
		return false
	}
	for _, k := range conditionalSections {
		if EqualFold(k, name) {
			return true
		}
	}
	return false
}

var conditionalSections = []string{"IfModule", "IfDefine", "IfFile", "IfDirective", "IfSection", "IfVersion"}
