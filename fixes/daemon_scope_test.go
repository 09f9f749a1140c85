package fixes

import "testing"

func TestDaemonScopeCRLFFixture(t *testing.T) {
	mustBeCRLFCase(t, "testdata/daemon-scope/crlf-tabs.txtar")
}
