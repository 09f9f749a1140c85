# wsgifix: `make test` is what CI runs (.ci/run); it installs what the tests
# need first, so it works on a fresh Debian machine as root.

GO ?= go

.PHONY: all build test deps vet unit fuzz bench ansible-module clean

# The Ansible module is a static binary for the target hosts' OS/arch
# (override: make ansible-module GOOS=linux GOARCH=arm64).
GOOS ?= linux
GOARCH ?= $(shell $(GO) env GOARCH)
MODULE := ansible/roles/wsgifix/library/wsgifix

all: build

build:
	$(GO) build ./...

deps:
	./scripts/install-deps.sh

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

# Every test, including the acceptance suite against real httpd + mod_wsgi
# (WSGIFIX_E2E=1) and the Ansible playbook tests; then each fuzz target for
# a short bounded time.
test: deps vet
	./scripts/test.sh

FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

bench:
	WSGIFIX_BENCH=1 ./scripts/install-deps.sh
	./scripts/bench.sh

ansible-module:
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build -trimpath -o $(MODULE) ./cmd/wsgifix-ansible

clean:
	rm -rf bin bench-out $(MODULE)
