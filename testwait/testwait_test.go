package testwait_test

import (
	"testing"

	"creditwater/testwait"
)

func TestForAndRecvReturnWhenReady(t *testing.T) {
	n := 0
	testwait.For(t, "the third poll", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Fatalf("polled %d times, want 3", n)
	}
	ch := make(chan int, 1)
	ch <- 1
	testwait.Recv(t, ch, "a value")
	closed := make(chan struct{})
	close(closed)
	testwait.Recv(t, closed, "the close")
}
