package plan

import (
	"sync"
	"testing"
)

// Numbers judged at once in a new process compile the same patterns at
// once; -race checks the cache, and every goroutine gets the same answer.
func TestConcurrentFirstUse(t *testing.T) {
	forget()
	t.Cleanup(forget)
	if n := countCompiled(); n != 0 {
		t.Fatalf("%d patterns compiled before any number", n)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			tc := benchNumbers[i%len(benchNumbers)]
			n, err := Parse(tc.number)
			if err != nil || !n.Valid() || n.Type() == Unknown {
				t.Errorf("%s: %+v %v", tc.number, n, err)
			}
		})
	}
	wg.Wait()
	if n := countCompiled(); n == 0 || n > 100 {
		t.Errorf("%d patterns compiled for %d numbers", n, len(benchNumbers))
	}
}
