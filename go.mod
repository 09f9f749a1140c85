module github.com/wsgifix/wsgifix

go 1.26.8

require (
	github.com/rogpeppe/go-internal v1.16.0
	github.com/sergi/go-diff v1.4.0
)

require golang.org/x/tools v0.26.0 // indirect
