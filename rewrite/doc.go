// Package rewrite is wsgifix's engine: it loads a set of httpd
// configuration files as one server (following Include like httpd when
// asked), runs the fix passes over all of them at once, renders unified
// diffs, and writes the results in place safely. The wsgifix command, the
// Ansible module and the e2e harness are thin layers over it.
//
// A run has two steps, so that callers can review before writing:
//
//	opts := rewrite.DefaultOptions()        // default passes and policies
//	opts.Passes, _ = fixes.Select(only, skip, enable)
//	opts.Fix.DaemonScope = "global"
//	res, err := rewrite.Run(ctx, opts, []string{"/etc/apache2/sites-enabled"})
//	if err != nil { ... }                  // the run as a whole failed
//	for _, f := range res.Files {          // httpd's load order
//		// f.Path, f.Before, f.After, f.Changed, f.Findings, f.Diff, f.Err
//	}
//	err = res.Write(ctx, rewrite.WriteOptions{Backup: true, Verify: "apachectl -t"})
//	// f.Written and f.Backup now say what happened on disk.
//
// PATHs are files, directories (every *.conf below, recursively, symlinks
// followed, each directory in byte order as httpd reads it) or "-" for
// Options.Stdin. With Options.Include each PATH is a main config and its
// Include/IncludeOptional directives are followed: globs, directories,
// ServerRoot-relative paths, ${VAR} from Define and the environment,
// cycles and nesting deeper than 128 reported with the include chain.
//
// Errors: Run returns an error only for the run as a whole (bad options, a
// pass that panicked). A file that cannot be read, parsed or resolved gets
// File.Err (naming file:line:col or the OS error), is never written, and
// does not stop the others; Result.Err and Write return every per-file error
// as one *multierror.Error.
//
// Writing (Result.Write): only changed files without errors are touched,
// each through a temp file in its own directory, fsync, owner and mode
// copied, rename, directory fsync. Symlinks are followed and kept. A file
// that changed on disk since Run read it is refused (ErrChangedOnDisk).
// Backups are FILE.wsgifix-bak, numbered when one exists. With
// WriteOptions.Verify a failing configtest restores every written file and
// the error includes a *VerifyError with the command's output. Every
// file-system call goes through the FS interface (OSFS for real) so that
// faults can be injected.
//
// Diff(path, old, new) renders a unified diff that `patch -p0` and
// `git apply -p0` apply byte for byte, in time linear in the file size.
// A big run need not hold its diffs: with Options.StreamDiff each file
// keeps its edit script and File.WriteDiff renders into a writer; with
// Options.DiffOut the run writes the diffs itself as they are made, a big
// file's while its parts are fixed, holding neither diff nor fixed text.
//
// A run whose one file is big and is made of independent VirtualHosts
// never parses it whole: its parts are planned from its outline
// (ast.ReadOutline) and each is parsed, fixed, printed and diffed on its
// own, on every CPU (fixes.RunParts); text, findings and diff are those of
// fixing the file whole.
package rewrite
