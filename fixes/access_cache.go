package fixes

import (
	"regexp"
	"strings"
	"sync"
)

// The regexes of a run repeat from vhost to vhost (web2py's static
// AliasMatch, the appadmin LocationMatch), and every proof reads the
// sites it touches again: each regex is compiled, and sampled, once per
// process. Both caches hold only values derived from the expression, and
// their own copy of it.
var (
	compiledRegexes sync.Map // string -> *regexp.Regexp, or nil when it does not compile
	regexSamples    sync.Map // string -> string
)

// compileRegex is regexp.Compile, once per expression.
func compileRegex(expr string) (*regexp.Regexp, error) {
	if v, ok := compiledRegexes.Load(expr); ok {
		if re := v.(*regexp.Regexp); re != nil {
			return re, nil
		}
		return nil, errNoRegex
	}
	// The expression may be a view of a part's pooled memory, reused
	// for the next part (see RunParts): the cache keeps its own copy.
	expr = strings.Clone(expr)
	re, err := regexp.Compile(expr)
	compiledRegexes.Store(expr, re)
	return re, err
}

var errNoRegex = regexpError("regex does not compile")

type regexpError string

func (e regexpError) Error() string { return string(e) }

// sampleRegex is regexSample, once per expression.
func sampleRegex(expr string) string {
	if v, ok := regexSamples.Load(expr); ok {
		return v.(string)
	}
	expr = strings.Clone(expr) // as in compileRegex
	s := regexSample(expr)
	regexSamples.Store(expr, s)
	return s
}
