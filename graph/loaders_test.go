package graph

import "testing"

// An operation's loaders are made on first use, once: a request that
// follows no list→item edge (a cached rating, say) builds none of them.
func TestLoadersAreMadeOnFirstUse(t *testing.T) {
	l := (&Resolver{}).NewLoaders()
	if l.records.l != nil || l.subjects.l != nil || l.repairHistory.l != nil {
		t.Fatal("loaders made before any use")
	}
	first := l.Records()
	if first == nil || l.Records() != first {
		t.Fatal("Records() must make its loader once and keep it")
	}
	if l.subjects.l != nil || l.recordHistory.l != nil {
		t.Fatal("using one loader made others")
	}
}
