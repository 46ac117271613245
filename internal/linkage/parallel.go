package linkage

import (
	"runtime"
	"sync"
	"sync/atomic"
)

func numWorkers() int { return runtime.GOMAXPROCS(0) }

// splitRange cuts [0,n) into about k chunks.
func splitRange(n, k int) [][2]int {
	if k < 1 {
		k = 1
	}
	size := (n + k - 1) / k
	if size == 0 {
		size = 1
	}
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(n, lo+size)})
	}
	return out
}

// parallelEach calls f(0..n-1) on all CPUs.
func parallelEach(n int, f func(k int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < numWorkers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= n {
					return
				}
				f(k)
			}
		}()
	}
	wg.Wait()
}
