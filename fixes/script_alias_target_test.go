package fixes

import "testing"

func TestScriptAliasTargetCRLFFixture(t *testing.T) {
	requireCRLFFixture(t, "testdata/script-alias-target/tabs-crlf.txtar")
}
