// Command wsgifix-ansible is wsgifix as an Ansible binary module: the role
// in ansible/roles/wsgifix runs it on every host of a fleet (build it with
// `make ansible-module`).
//
// Ansible calls it with one argument, a file holding the task's arguments as
// a JSON object, and reads exactly one JSON object from standard output.
// Nothing else is ever printed, not even on a panic: that becomes
// {"failed": true, "msg": ...}.
//
// Arguments (lists are YAML lists or comma-separated strings):
//
//	path, paths      absolute files or directories (every *.conf below), one server
//	include          follow Include/IncludeOptional from each path (a main
//	                 config such as /etc/apache2/apache2.conf), as httpd does (default false)
//	server_root      absolute ServerRoot for relative Include paths when the
//	                 config sets none (default: the main config's directory)
//	backup           keep FILE.wsgifix-bak (default true)
//	verify           run apachectl after writing; restore every file if it fails (default false)
//	apachectl        the configtest command line, no shell (default "apachectl -t")
//	daemon_scope     vhost | global
//	daemon_conflict  report | keep-first | rename
//	server_name      fills an empty ServerName
//	wsgi_script      script file name for directory WSGIScriptAlias targets
//	apache           "2.4" | "2.2"
//	only, skip, enable   pass names, as wsgifix --only/--skip/--enable
//
// Ansible's own _ansible_check_mode (nothing is written; changed says what
// would change) and _ansible_diff (a diff entry per changed file) are
// honoured; other _ansible_* arguments are ignored. An unknown or mistyped
// argument fails the task with a message naming it and the type wanted.
//
// The result holds changed, failed, msg, findings ({file, line, col, pass,
// severity, message, fixed}), files (changed files), backup_files, diff
// (with --diff) and warnings (error findings no pass could fix). A second
// run over its own output reports changed=false.
package main
