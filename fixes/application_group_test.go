package fixes

import "testing"

func TestApplicationGroupCRLFFixture(t *testing.T) {
	mustBeCRLFCase(t, "testdata/application-group/crlf-lowercase.txtar")
}
