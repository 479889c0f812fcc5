package match

import (
	"net/http/httputil"
	"sync"
)

// ProxyBufferSize is the buffer size NewBufferPool is meant for: large
// enough that a Matcher reads a cached body straight into the proxy's
// buffer and hashes it there (see ModifyResponse), and that a 300 KB page
// takes a few reads and writes instead of ten.
const ProxyBufferSize = 128 << 10

// NewBufferPool returns a pool of buffers of size bytes for
// httputil.ReverseProxy.BufferPool. Without one, ReverseProxy allocates a
// 32 KiB buffer for every response. Get and Put allocate nothing once the
// pool is warm; the pool is safe for concurrent use, and the garbage
// collector may drop idle buffers (it is a sync.Pool). A size below 1 KiB
// is raised to 1 KiB.
func NewBufferPool(size int) httputil.BufferPool {
	return &bufferPool{size: max(size, 1<<10)}
}

type bufferPool struct {
	size int
	// bufs holds *[]byte; boxes holds the empty *[]byte that Put needs,
	// so that neither Get nor Put allocates a box for the slice.
	bufs, boxes sync.Pool
}

func (p *bufferPool) Get() []byte {
	box, _ := p.bufs.Get().(*[]byte)
	if box == nil {
		return make([]byte, p.size)
	}
	b := *box
	*box = nil
	p.boxes.Put(box)
	return b
}

func (p *bufferPool) Put(b []byte) {
	if cap(b) < p.size {
		return // not one of ours
	}
	box, _ := p.boxes.Get().(*[]byte)
	if box == nil {
		box = new([]byte)
	}
	*box = b[:p.size]
	p.bufs.Put(box)
}
