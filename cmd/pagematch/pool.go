package main

import (
	"context"
	"iter"
	"sync"
)

// job is one input in flight; done receives its outcome.
type job struct {
	in   input
	done chan outcome // nil when the input needs no work
}

// process runs work on every input that needs it, on workers goroutines,
// and calls emit for every input in input order, from the calling goroutine
// (so emit needs no locking). At most about 2×workers inputs are in flight,
// so memory stays bounded however many files a folder holds.
//
// On cancellation it stops listing and emitting and returns ctx.Err().
func process(ctx context.Context, workers int, ins iter.Seq[input],
	work func(context.Context, input) outcome, emit func(input, outcome)) error {
	todo := make(chan job)
	order := make(chan job, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range todo {
				j.done <- work(ctx, j.in)
			}
		})
	}
	go func() {
		defer close(order)
		defer close(todo)
		for in := range ins {
			j := job{in: in}
			if in.err == nil && in.skip == "" {
				j.done = make(chan outcome, 1) // buffered: a worker never waits for emit
				select {
				case todo <- j:
				case <-ctx.Done():
					return
				}
			}
			select {
			case order <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	for j := range order {
		o := outcome{err: j.in.err, skip: j.in.skip}
		if j.done != nil {
			o = <-j.done
		}
		if ctx.Err() == nil {
			emit(j.in, o)
		}
	}
	wg.Wait()
	return ctx.Err()
}
