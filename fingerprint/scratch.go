package fingerprint

import "sync"

// scratch lends the working buffers of one fingerprint: planes, masks,
// density maps. All of them go back at once when the fingerprint is done,
// so a server that fingerprints page after page reuses them instead of
// allocating a few megabytes per page. A nil *scratch allocates afresh.
type scratch struct {
	f32   arena[float32]
	f64   arena[float64]
	bools arena[bool]
	u16   arena[uint16]
	i32   arena[int32]
	u64   arena[uint64]
	i64   arena[int64]
	// stack, edge and runs are kept at their largest length: their users
	// append to them and hand them back.
	stack []int32
	edge  []int32
	runs  []labelRun
}

// arena hands out zeroed slices from buffers kept between uses.
type arena[T any] struct {
	bufs [][]T
	used int
}

func (a *arena[T]) get(n int) []T {
	b := a.room(n)[:n]
	clear(b)
	return b
}

// room is get without the clearing: an empty slice with room for n.
func (a *arena[T]) room(n int) []T {
	if a.used == len(a.bufs) {
		a.bufs = append(a.bufs, nil)
	}
	b := a.bufs[a.used]
	if cap(b) < n {
		b = make([]T, n)
	}
	a.bufs[a.used] = b[:cap(b)]
	a.used++
	return b[:0:n]
}

func (s *scratch) float32s(n int) []float32 {
	if s == nil {
		return make([]float32, n)
	}
	return s.f32.get(n)
}

// float32sSet is float32s for a user that sets every value before it
// reads any: the buffer is not cleared, and holds stale values.
func (s *scratch) float32sSet(n int) []float32 {
	if s == nil {
		return make([]float32, n)
	}
	return s.f32.room(n)[:n]
}

// float32Room returns an empty slice with room for n values, for a user
// that appends to it: unlike float32s, it does not clear the buffer.
func (s *scratch) float32Room(n int) []float32 {
	if s == nil {
		return make([]float32, 0, n)
	}
	return s.f32.room(n)
}

func (s *scratch) float64s(n int) []float64 {
	if s == nil {
		return make([]float64, n)
	}
	return s.f64.get(n)
}

func (s *scratch) boolSlice(n int) []bool {
	if s == nil {
		return make([]bool, n)
	}
	return s.bools.get(n)
}

func (s *scratch) uint16s(n int) []uint16 {
	if s == nil {
		return make([]uint16, n)
	}
	return s.u16.get(n)
}

func (s *scratch) int32s(n int) []int32 {
	if s == nil {
		return make([]int32, n)
	}
	return s.i32.get(n)
}

// int32Room is float32Room for int32s.
func (s *scratch) int32Room(n int) []int32 {
	if s == nil {
		return make([]int32, 0, n)
	}
	return s.i32.room(n)
}

func (s *scratch) uint64s(n int) []uint64 {
	if s == nil {
		return make([]uint64, n)
	}
	return s.u64.get(n)
}

// uint64sSet is uint64s without the clearing (see float32sSet).
func (s *scratch) uint64sSet(n int) []uint64 {
	if s == nil {
		return make([]uint64, n)
	}
	return s.u64.room(n)[:n]
}

// int64sSet is int64s without the clearing (see float32sSet).
func (s *scratch) int64sSet(n int) []int64 {
	if s == nil {
		return make([]int64, n)
	}
	return s.i64.room(n)[:n]
}

func (s *scratch) int64s(n int) []int64 {
	if s == nil {
		return make([]int64, n)
	}
	return s.i64.get(n)
}

// scratchPool keeps scratches between fingerprints; a sync.Pool drops
// them when memory is short.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// release returns every buffer lent since the scratch was taken. Nothing
// lent may be used afterwards.
func (s *scratch) release() {
	s.f32.used, s.f64.used, s.bools.used, s.u16.used, s.i32.used, s.u64.used, s.i64.used = 0, 0, 0, 0, 0, 0, 0
	scratchPool.Put(s)
}
