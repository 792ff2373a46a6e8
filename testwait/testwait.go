// Package testwait holds the hang guards of tests: waits for something
// another goroutine does that fail the test after a generous deadline
// instead of hanging it. They are not timing assertions: the deadline only
// turns "never" into a failure.
package testwait

import (
	"testing"
	"time"
)

// Deadline is how long a guard waits before it fails the test.
const Deadline = 30 * time.Second

// For polls cond until it holds; it fails the test, naming what it waited
// for, after Deadline.
func For(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Deadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Recv waits for ch to deliver a value or close; it fails the test, naming
// what it waited for, after Deadline.
func Recv[T any](t testing.TB, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(Deadline):
		t.Fatalf("timed out waiting for %s", what)
	}
}
