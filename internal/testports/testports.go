// Package testports hands out loopback TCP ports for tests that start real nodes. The ports come
// from a range below the kernel's ephemeral range (32768-60999 on Linux), so an address another
// test or process gets by binding port 0 never collides with a port handed out here but not yet
// bound by the node it is meant for.
package testports

import (
	"fmt"
	"math/rand"
	"net"
	"os"
	"sync"
)

const (
	low  = 20000
	high = 32000
)

var (
	mu   sync.Mutex
	next = low + (os.Getpid()*7919+rand.Intn(high-low))%(high-low) // spread concurrent test processes
)

// Addr returns a free 127.0.0.1:port, never one returned before in this process.
func Addr() string {
	mu.Lock()
	defer mu.Unlock()
	for i := 0; i < high-low; i++ {
		p := next
		next++
		if next >= high {
			next = low
		}
		if p == 26656 || p == 26657 || p == 1317 { // the dev chain's fixed ports
			continue
		}
		a := fmt.Sprintf("127.0.0.1:%d", p)
		l, err := net.Listen("tcp", a)
		if err != nil {
			continue
		}
		l.Close()
		return a
	}
	panic("testports: no free port in range")
}

// Port is Addr's port number.
func Port() int {
	_, p, _ := net.SplitHostPort(Addr())
	var n int
	fmt.Sscan(p, &n)
	return n
}

// Range returns the first of n consecutive free ports, none handed out before in this process.
func Range(n int) int {
	mu.Lock()
	defer mu.Unlock()
	for tries := 0; tries < (high-low)/n; tries++ {
		if next+n >= high {
			next = low
		}
		base := next
		next += n
		ok := true
		for p := base; p < base+n && ok; p++ {
			if p == 26656 || p == 26657 || p == 1317 {
				ok = false
				break
			}
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return base
		}
	}
	panic("testports: no free range")
}
