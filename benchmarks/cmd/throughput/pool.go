package main

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// poolResult is the fast path run by a pool of workers over a set.
type poolResult struct {
	Set        string  `json:"set"`
	Workers    int     `json:"workers"`
	GOMAXPROCS int     `json:"gomaxprocs"`
	Seconds    float64 `json:"seconds"`
	Pages      int     `json:"pages"`
	PagesPerS  float64 `json:"pages_per_s_total"`
	MBPerS     float64 `json:"mb_per_s_total"`
	GbitPerS   float64 `json:"gbit_per_s_total"`
	// CoresBusy is the process's CPU time over wall time: how many cores
	// the pool kept busy. Below Workers on a shared machine when other
	// processes hold the cores.
	CoresBusy float64 `json:"cores_busy"`
	// PagesPerCPUS is pages per CPU-second inside the pool, to compare
	// with the single-core rounds (contention for caches and memory).
	PagesPerCPUS float64 `json:"pages_per_cpu_second"`
}

// runPool fingerprints the pages of s with workers goroutines for about
// d, each taking the next page from a shared counter, as a server's
// worker pool would.
func runPool(s *set, run func([]byte) error, workers int, d time.Duration) (poolResult, error) {
	runtime.GC()
	var next, done, nbytes atomic.Int64
	var stop atomic.Bool
	errs := make([]error, workers)
	var wg sync.WaitGroup
	c0, t0 := cpuTime(), time.Now()
	for w := range workers {
		wg.Go(func() {
			for !stop.Load() {
				p := s.pages[int(next.Add(1)-1)%len(s.pages)]
				if err := run(p.data); err != nil {
					errs[w] = err
					stop.Store(true)
					return
				}
				done.Add(1)
				nbytes.Add(int64(len(p.data)))
			}
		})
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	wall, cpu := time.Since(t0).Seconds(), (cpuTime() - c0).Seconds()
	r := poolResult{
		Set: s.name, Workers: workers, GOMAXPROCS: runtime.GOMAXPROCS(0),
		Seconds: wall, Pages: int(done.Load()),
	}
	r.PagesPerS = float64(r.Pages) / wall
	r.MBPerS = float64(nbytes.Load()) / 1e6 / wall
	r.GbitPerS = r.MBPerS * 8 / 1000
	if cpu > 0 {
		r.CoresBusy = cpu / wall
		r.PagesPerCPUS = float64(r.Pages) / cpu
	}
	return r, errors.Join(errs...)
}
