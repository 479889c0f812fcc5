package match

import (
	"math/bits"
	"sync"
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
type bufPool struct {
	classes []sync.Pool // class i holds *[]byte of capacity minClass<<i
}

const minClassShift = 16

func newBufPool(limit int64) *bufPool {
	return &bufPool{classes: make([]sync.Pool, sizeClass(limit)+1)}
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
	if box, _ := p.classes[c].Get().(*[]byte); box != nil {
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
	p.classes[sizeClass(int64(cap(b)))].Put(box)
}
