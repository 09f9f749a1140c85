package fixes

import (
	"errors"
	"slices"
	"strconv"

	"github.com/wsgifix/wsgifix/ast"
)

// DaemonSizing is the daemon-sizing pass.
var DaemonSizing = &Pass{
	Name:    "daemon-sizing",
	Title:   "report oversized and redundant daemon options",
	Default: true,
	Run:     runDaemonSizing,
	Doc: `Reports, as advice and without editing, WSGIDaemonProcess options that cost
resources or say nothing (mod_wsgi documentation, "WSGIDaemonProcess"):

  - processes × threads far above need. mod_wsgi's defaults are processes=1
    threads=15: 15 requests at once. The book's processes=10 means 150
    concurrent requests and ten copies of the application in memory. A group
    is reported when it allows more than 60 concurrent requests (four times
    the default).
  - processes=1 written out. Any explicit processes= sets
    wsgi.multiprocess=True, which tells the application (and debuggers
    such as werkzeug's) that requests may land in other processes, although
    there is only one. Leaving processes= out keeps it False.
  - maximum-requests=N. Each daemon process restarts after N requests,
    dropping the requests in flight when it is busy; it is a workaround for
    applications that leak memory, not a default.
  - user= and group= equal to Apache's own. Daemon processes run as
    Apache's User and Group unless told otherwise, so these options are
    redundant. Apache's user is the last User directive at global scope;
    ${APACHE_RUN_USER} and ${APACHE_RUN_GROUP} are Debian's
    /etc/apache2/envvars values, www-data, and so is a run that has no User
    or Group (a Debian sites-enabled file, which the main apache2.conf
    includes).

Example:

    WSGIDaemonProcess web2py user=www-data group=www-data \
    home=/home/web2py/ \
    processes=10 maximum-requests=500

gives four findings (user=, group=, processes=10 with 150 concurrent
requests, maximum-requests=500); a lean equivalent is

    WSGIDaemonProcess web2py home=/home/web2py/`,
}

// Sizing policy, after mod_wsgi's defaults.
const (
	defaultProcesses  = 1
	defaultThreads    = 15
	maxSensibleSlots  = 4 * defaultProcesses * defaultThreads
	debianRunIdentity = "www-data"
)

func runDaemonSizing(c *Context) {
	// One walk finds the definitions and Apache's own User and Group.
	var defs []*ast.Directive
	var lastUser, lastGroup *ast.Directive
	found := collect(c.Files, func(d *ast.Directive) bool {
		return d.Is("WSGIDaemonProcess") || (d.IsAny("User", "Group") && atGlobalScope(d))
	})
	for _, d := range found {
		switch {
		case d.Is("WSGIDaemonProcess"):
			defs = append(defs, d)
		case d.Is("User"):
			lastUser = d
		default:
			lastGroup = d
		}
	}
	if len(defs) == 0 {
		return
	}
	user := apacheIdentity(lastUser, "User", "${APACHE_RUN_USER}")
	group := apacheIdentity(lastGroup, "Group", "${APACHE_RUN_GROUP}")
	c.eachPart(len(defs), nil, func(c *Context, i int) { sizeDaemon(c, defs[i], user, group) })
}

// apacheIdentity returns Apache's own user (or group) as the run sets it,
// the last User (Group) directive at global scope, and a note on where it
// came from when it is Debian's default.
func apacheIdentity(last *ast.Directive, directive, debianVar string) identity {
	switch {
	case last == nil:
		return identity{debianRunIdentity, "Debian's default"}
	case last.Arg(0) == debianVar:
		return identity{debianRunIdentity, debianVar + " from Debian's envvars"}
	}
	return identity{last.Arg(0), directive + " at " + where(last)}
}

type identity struct{ name, source string }

// advice is one finding waiting to be reported in position order.
type advice struct {
	pos ast.Pos
	msg string
}

var errNotCount = errors.New("not a count")

func sizeDaemon(c *Context, def *ast.Directive, user, group identity) {
	name := def.Arg(0)
	var out []advice
	add := func(i int, format string, args ...any) {
		out = append(out, advice{def.ArgPos(i), c.message(format, args)})
	}
	processes, threads := defaultProcesses, defaultThreads
	processesAt, threadsAt := -1, -1
	for i, arg := range def.Args() { // the list the line keeps, not a copy
		if i == 0 {
			continue
		}
		a := arg.Value
		k, v, ok := Option(a)
		if !ok {
			continue
		}
		v = optionValue(v)
		n, err := 0, errNotCount
		if k == "processes" || k == "threads" {
			n, err = strconv.Atoi(v) // only here: a failed Atoi allocates its error
		}
		switch {
		case k == "processes" && err == nil:
			processes, processesAt = n, i
		case k == "threads" && err == nil:
			threads, threadsAt = n, i
		case k == "maximum-requests":
			add(i, "WSGIDaemonProcess %q: %s restarts each daemon process after %s requests; it is only for applications that leak memory",
				name, a, v)
		case k == "user" && v == user.name, k == "group" && v == group.name:
			own := user
			if k == "group" {
				own = group
			}
			add(i, "WSGIDaemonProcess %q: %s is redundant, daemon processes run as Apache's own %s %q (%s) unless told otherwise",
				name, a, k, own.name, own.source)
		}
	}
	if processesAt > 0 && processes == 1 {
		add(processesAt, "WSGIDaemonProcess %q: an explicit processes=1 sets wsgi.multiprocess=True for a single process; leave processes= out",
			name)
	}
	if slots := processes * threads; slots > maxSensibleSlots {
		at := processesAt
		if at < 0 {
			at = threadsAt
		}
		add(at, "WSGIDaemonProcess %q allows %d concurrent requests (processes=%d × threads=%d), far more than most sites need; mod_wsgi's default is 1 process × 15 threads",
			name, slots, processes, threads)
	}
	slices.SortStableFunc(out, func(a, b advice) int {
		if a.pos.Line != b.pos.Line {
			return a.pos.Line - b.pos.Line
		}
		return a.pos.Col - b.pos.Col
	})
	f := FileOf(def)
	for _, a := range out {
		c.reportMessage(f, a.pos, Advice, false, a.msg)
	}
}
