package match

import (
	"runtime"
	"testing"
	"time"
	"weak"
)

// TestBufPoolOrder checks that a class hands out the buffer released last
// first, whichever goroutine released it, and that a buffer in use is
// never handed out twice.
func TestBufPoolOrder(t *testing.T) {
	p := newBufPool(4 << 20)
	a, boxA := p.get(300 << 10)
	b, boxB := p.get(300 << 10)
	if boxA == boxB {
		t.Fatal("one buffer handed out twice")
	}
	done := make(chan struct{})
	go func() { p.put(a, boxA); close(done) }()
	<-done
	p.put(b, boxB)
	if _, box := p.get(260 << 10); box != boxB {
		t.Error("the buffer released last did not come first")
	}
	if _, box := p.get(500 << 10); box != boxA {
		t.Error("the buffer released before it did not come next")
	}
	if _, box := p.get(300 << 10); box == boxA || box == boxB {
		t.Error("a buffer in use was handed out")
	}

	// More than a class keeps strongly: the oldest are kept weakly, and
	// the order holds.
	var boxes []*[]byte
	for range maxPooled + 3 {
		_, box := p.get(100 << 10)
		boxes = append(boxes, box)
	}
	for _, box := range boxes {
		p.put((*box)[:0], box)
	}
	for i := len(boxes) - 1; i >= 0; i-- {
		if _, box := p.get(100 << 10); box != boxes[i] {
			t.Fatalf("release %d of %d not handed out in order", i, len(boxes))
		}
	}
}

// TestBufPoolFrees checks that the collector frees a pooled buffer left
// unused for a whole GC cycle, as it would from a sync.Pool.
func TestBufPoolFrees(t *testing.T) {
	p := newBufPool(4 << 20)
	b, box := p.get(300 << 10)
	w := weak.Make(box)
	p.put(b, box)
	b, box = nil, nil
	for i := 0; i < 100 && w.Value() != nil; i++ {
		runtime.GC() // the first one weakens it (in a cleanup), a later one frees it
		time.Sleep(time.Millisecond)
	}
	if w.Value() != nil {
		t.Fatal("an unused pooled buffer survived 100 collections")
	}
	runtime.KeepAlive(p)
}

func TestBufferPool(t *testing.T) {
	p := NewBufferPool(ProxyBufferSize)
	b := p.Get()
	if len(b) != ProxyBufferSize {
		t.Fatalf("len %d", len(b))
	}
	p.Put(b)
	p.Put(make([]byte, 10)) // not one of ours: dropped
	// Under -race, sync.Pool drops a share of what is put.
	if n := testing.AllocsPerRun(100, func() { p.Put(p.Get()) }); n != 0 && !raceEnabled {
		t.Errorf("%v allocations per Get and Put", n)
	}
	if got := len(NewBufferPool(0).Get()); got != 1<<10 {
		t.Errorf("size 0 gives %d-byte buffers, want 1 KiB", got)
	}
}
