package fixes

import "testing"

func TestDaemonSizingCRLFFixture(t *testing.T) {
	mustBeCRLFCase(t, "testdata/daemon-sizing/crlf-tabs.txtar")
}
