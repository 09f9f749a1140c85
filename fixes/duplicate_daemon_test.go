package fixes

import "testing"

func TestDuplicateDaemonCRLFFixture(t *testing.T) {
	mustBeCRLFCase(t, "testdata/duplicate-daemon/crlf-tabs.txtar")
}
