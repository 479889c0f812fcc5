package fingerprint_test

import (
	"image"
	"slices"
	"sync"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/testpages"
)

// Fingerprints computed at once on many goroutines, reusing pooled
// buffers and decoders, must equal those computed one at a time.
func TestConcurrentMatchesSequential(t *testing.T) {
	var inputs [][]byte
	for i := range 6 {
		// Full-size pages take the fast path, small ones the full decode.
		var img image.Image = testpages.Page(testpages.Spec{Series: i, Page: 1})
		if i%2 == 1 {
			img = page(i, 2)
		}
		inputs = append(inputs, mustJPEG(t, img, 85))
	}
	want := make([]fingerprint.Fingerprint, len(inputs))
	for i, b := range inputs {
		fp, err := fingerprint.FromBytes(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = *fp
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for k := range 3 * len(inputs) {
				i := (g + k) % len(inputs)
				fp, err := fingerprint.FromBytes(ctx, inputs[i])
				if err != nil {
					errs <- err.Error()
					return
				}
				if !slices.Equal(fp.Variants, want[i].Variants) || fp.Skew != want[i].Skew {
					errs <- "input " + string(rune('0'+i)) + " differs from its sequential fingerprint"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// After warm-up a fast-path fingerprint borrows its working buffers: what
// it allocates is a few small tables and the result, not megabytes.
func TestFastPathAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	data := mustJPEG(t, testpages.Page(testpages.Spec{Series: 3, Page: 1}), 85)
	fp, err := fingerprint.FromBytes(ctx, data)
	if err != nil || !fp.FastPath {
		t.Fatalf("warm-up: fast path %v, err %v", fp != nil && fp.FastPath, err)
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := fingerprint.FromBytes(ctx, data); err != nil {
			t.Fatal(err)
		}
	})
	// 43 at the time of writing (95 before the flood's seed lists were
	// pooled); the bound leaves room for the runtime, not for a buffer per
	// pixel row.
	if allocs > 100 {
		t.Errorf("%.0f allocations per fingerprint, want at most 100", allocs)
	}
}
