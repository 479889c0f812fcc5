package main

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"runtime"
	"time"

	"github.com/corona10/goimagehash"
	"github.com/pagematch/pagematch/fingerprint"
)

// sample is what one pipeline cost over some pages.
type sample struct {
	ops     int
	bytes   int64
	cpu     time.Duration // CPU time charged to the work (see cpuTime)
	wall    time.Duration
	mallocs uint64
	alloc   uint64 // bytes allocated
	noAlloc bool   // allocations not measured (external program)
}

func (s *sample) add(o sample) {
	s.ops += o.ops
	s.bytes += o.bytes
	s.cpu += o.cpu
	s.wall += o.wall
	s.mallocs += o.mallocs
	s.alloc += o.alloc
	s.noAlloc = s.noAlloc || o.noAlloc
}

// perPage is the CPU time per page.
func (s *sample) perPage() time.Duration { return s.cpu / time.Duration(max(s.ops, 1)) }

// pipeline is one way from JPEG bytes to a hash (or, for references, to
// a decoded image).
type pipeline struct {
	key   string
	label string
	// measure runs the pipeline over the whole set at least once and for
	// at least slice of wall time.
	measure func(s *set, slice time.Duration) (sample, error)
}

var bg = context.Background()

// The pipelines of issue 4.
func runFast(b []byte) error {
	_, err := fingerprint.FromBytes(bg, b)
	return err
}

// runFastRegions is (a) as a Matcher runs it against an index that stores
// the pages' halves (the CLI's default index).
func runFastRegions(b []byte) error {
	_, err := fingerprint.FromBytes(bg, b, fingerprint.WithRegions(true))
	return err
}

func runFull(b []byte) error {
	_, err := fingerprint.FromBytes(bg, b, fingerprint.WithFastPath(false))
	return err
}

func runGoimagehash(b []byte) error {
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return err
	}
	_, err = goimagehash.PerceptionHash(img)
	return err
}

func runImageJPEG(b []byte) error {
	_, err := jpeg.Decode(bytes.NewReader(b))
	return err
}

// goPipelines are the in-process pipelines, in table order.
func goPipelines() []pipeline {
	return []pipeline{
		{"fast", "(a) fingerprint.FromBytes, fast path", inProcess(runFast)},
		{"fastregions", "(a) with WithRegions(true): the halves too", inProcess(runFastRegions)},
		{"full", "(b) fingerprint.FromBytes, WithFastPath(false)", inProcess(runFull)},
		{"goimagehash", "(c) image/jpeg + goimagehash.PerceptionHash", inProcess(runGoimagehash)},
		{"imagejpeg", "image/jpeg.Decode alone (no hash)", inProcess(runImageJPEG)},
	}
}

// inProcess times a Go pipeline. The heap is collected first so that each
// measurement pays for its own garbage, not for the previous one's.
func inProcess(run func([]byte) error) func(*set, time.Duration) (sample, error) {
	return func(s *set, slice time.Duration) (sample, error) {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		c0, t0 := cpuTime(), time.Now()
		var smp sample
		for smp.ops == 0 || time.Since(t0) < slice {
			for _, p := range s.pages {
				if err := run(p.data); err != nil {
					return smp, fmt.Errorf("throughput: %s: %w", p.name, err)
				}
				smp.ops++
				smp.bytes += int64(len(p.data))
			}
		}
		smp.wall = time.Since(t0)
		smp.cpu = cpuTime() - c0
		runtime.ReadMemStats(&m1)
		smp.mallocs, smp.alloc = m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc
		if smp.cpu <= 0 { // no CPU clock on this platform
			smp.cpu = smp.wall
		}
		return smp, nil
	}
}

// cell accumulates one (set, pipeline) pair over the rounds.
type cell struct {
	total  sample
	rounds []time.Duration // CPU time per page, per round
}

// measureAll runs every pipeline on every set, round after round, so that a
// change of load on the shared machine hits all of them alike. It runs on
// one P, so that per-core figures mean one core (goimagehash's resizer
// would otherwise spread over all of them).
func measureAll(sets []set, pipes []pipeline, rounds int, slice time.Duration, progress func(string)) (map[[2]string]*cell, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	cells := map[[2]string]*cell{}
	for r := range rounds {
		for _, s := range sets {
			for _, p := range pipes {
				progress(fmt.Sprintf("round %d/%d: %s / %s", r+1, rounds, s.name, p.key))
				smp, err := p.measure(&s, slice)
				if err != nil {
					return nil, err
				}
				c := cells[[2]string{s.name, p.key}]
				if c == nil {
					c = &cell{}
					cells[[2]string{s.name, p.key}] = c
				}
				c.total.add(smp)
				c.rounds = append(c.rounds, smp.perPage())
			}
		}
	}
	return cells, nil
}
