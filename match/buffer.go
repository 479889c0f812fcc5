package match

import (
	"math/bits"
	"runtime"
	"sync"
	"weak"
)

// heldBuf is a body buffer charged to the held-memory budget and drawn
// from the Matcher's pool.
type heldBuf struct {
	m        *Matcher
	b        []byte
	box      *[]byte // b's pool box; nil when not poolable
	limit    int64   // bytes at most
	reserved int64
	// pinned: b may be read by someone else after we are done (a prefix
	// being served, a fingerprint still running); never pool it.
	pinned bool
}

// add appends p, growing within the limit and the budget. It reports
// false, leaving the buffer unchanged, when either would be exceeded.
func (h *heldBuf) add(p []byte) bool {
	n := int64(len(h.b) + len(p))
	if n > h.limit {
		return false
	}
	if n > int64(cap(h.b)) && !h.grow(n) {
		return false
	}
	h.b = append(h.b, p...)
	return true
}

// grow makes room for n bytes, at least doubling, within the limit.
func (h *heldBuf) grow(n int64) bool {
	nb, box := h.m.bufs.get(max(n, min(2*int64(cap(h.b)), h.limit)))
	if !h.m.reserve(int64(cap(nb)) - h.reserved) {
		h.m.bufs.put(nb, box)
		return false
	}
	h.reserved = int64(cap(nb))
	nb = append(nb, h.b...)
	if !h.pinned {
		h.m.bufs.put(h.b, h.box)
	}
	h.b, h.box = nb, box
	return true
}

// free returns the reservation; the bytes stay valid for current readers.
func (h *heldBuf) free() {
	h.m.release(h.reserved)
	h.reserved = 0
}

// recycle frees the buffer and returns it to the pool unless pinned. No
// one may read it afterwards.
func (h *heldBuf) recycle() {
	h.free()
	if !h.pinned {
		h.m.bufs.put(h.b, h.box)
	}
	h.b, h.box = nil, nil
}

// bufPool recycles body buffers in power-of-two size classes from 64 KiB
// up to the hold limit, so that a cache hit allocates no body buffer.
// Larger buffers are allocated exactly and left to the collector.
//
// Within a class the buffer released last is handed out first, whatever
// goroutine or processor released it: the next body is read into it and
// hashed, and its memory is the most likely to be in a cache still. (A
// sync.Pool hands out the current P's own buffer, at one client often one
// released several responses earlier: the kernel's copy of a 327 KB body
// into it cost about 10 µs more.) As from a sync.Pool, the collector
// frees a buffer left unused for a whole GC cycle: buffers released since
// the last collection are held strongly, older ones through weak
// pointers.
type bufPool struct {
	classes []bufClass // class i holds buffers of capacity minClass<<i
}

// bufClass is a stack of released buffers, the last released on top:
// those released since the last collection (strong) above the older ones
// (weak).
type bufClass struct {
	mu     sync.Mutex
	strong []*[]byte
	weak   []weak.Pointer[[]byte]
}

const (
	minClassShift = 16
	maxPooled     = 64 // strong and weak references kept per class, each
)

func newBufPool(limit int64) *bufPool {
	p := &bufPool{classes: make([]bufClass, sizeClass(limit)+1)}
	watchGC(weak.Make(p))
	return p
}

// watchGC weakens the pool's strong references after each collection,
// for as long as the pool lives.
func watchGC(wp weak.Pointer[bufPool]) {
	sentinel := new([2]*byte) // not a tiny allocation: freed by the next GC
	runtime.AddCleanup(sentinel, func(wp weak.Pointer[bufPool]) {
		if p := wp.Value(); p != nil {
			for i := range p.classes {
				p.classes[i].weaken()
			}
			watchGC(wp)
		}
	}, wp)
}

// sizeClass returns the class of buffers of capacity n, rounding up.
func sizeClass(n int64) int {
	if n <= 1<<minClassShift {
		return 0
	}
	return bits.Len64(uint64(n-1)) - minClassShift
}

// get returns an empty buffer of capacity at least n and its box.
func (p *bufPool) get(n int64) ([]byte, *[]byte) {
	c := sizeClass(n)
	if c >= len(p.classes) {
		return make([]byte, 0, n), nil
	}
	if box := p.classes[c].pop(); box != nil {
		return (*box)[:0], box
	}
	b := make([]byte, 0, 1<<(minClassShift+c))
	return b, &b
}

// put returns b to its class.
func (p *bufPool) put(b []byte, box *[]byte) {
	if box == nil {
		return
	}
	*box = b[:0]
	p.classes[sizeClass(int64(cap(b)))].push(box)
}

// pop returns the buffer released last that the collector has not freed,
// or nil.
func (k *bufClass) pop() *[]byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	if n := len(k.strong); n > 0 {
		box := k.strong[n-1]
		k.strong[n-1] = nil
		k.strong = k.strong[:n-1]
		return box
	}
	for n := len(k.weak); n > 0; n-- {
		box := k.weak[n-1].Value()
		k.weak = k.weak[:n-1]
		if box != nil {
			return box
		}
	}
	return nil
}

func (k *bufClass) push(box *[]byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.strong) == maxPooled {
		// The oldest goes to the weak ones, as at a collection.
		k.weakPush(k.strong[0])
		copy(k.strong, k.strong[1:])
		k.strong = k.strong[:maxPooled-1]
	}
	k.strong = append(k.strong, box)
}

// weaken holds the buffers released before a collection weakly.
func (k *bufClass) weaken() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, box := range k.strong {
		k.weakPush(box)
		k.strong[i] = nil
	}
	k.strong = k.strong[:0]
}

func (k *bufClass) weakPush(box *[]byte) {
	w := weak.Make(box) // allocates on a box's first weak pointer only
	if len(k.weak) == maxPooled {
		k.weak = append(k.weak[:0], k.weak[1:]...) // forget the oldest
	}
	k.weak = append(k.weak, w)
}
