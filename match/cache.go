package match

import (
	"math/bits"
	"sync"
)

// verdictCache is a sharded LRU of verdicts keyed by a 64-bit hash (xxh3
// of a body, or of an object's URL and validators). Each shard is an exact
// LRU over a fixed slot array with an intrusive list, so a hit moves a
// slot and allocates nothing. Entries remember the index generation they
// were made with; after a Reload they read as misses and are overwritten
// in place, so reloading never stops the world to clear the cache.
type verdictCache struct {
	shards []cacheShard
	shift  uint // key >> shift picks the shard
}

type cacheShard struct {
	mu    sync.Mutex
	idx   map[uint64]int32
	slots []cacheSlot
	cap   int
	head  int32 // most recently used, -1 when empty
	tail  int32
	_     [64]byte // keep shard locks on separate cache lines
}

type cacheSlot struct {
	key        uint64
	gen        uint64 // 0: invalidated
	v          Verdict
	prev, next int32
}

const maxCacheShards = 16

func newVerdictCache(entries int) *verdictCache {
	n := maxCacheShards
	for n > 1 && n > entries {
		n >>= 1
	}
	c := &verdictCache{shards: make([]cacheShard, n), shift: uint(64 - bits.TrailingZeros(uint(n)))}
	per := (entries + n - 1) / n
	for i := range c.shards {
		s := &c.shards[i]
		s.idx = make(map[uint64]int32, per)
		s.cap = per
		s.head, s.tail = -1, -1
	}
	return c
}

func (c *verdictCache) shard(key uint64) *cacheShard {
	if c.shift >= 64 {
		return &c.shards[0]
	}
	return &c.shards[key>>c.shift]
}

// get returns the verdict stored under key for generation gen.
func (c *verdictCache) get(key, gen uint64) (Verdict, bool) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.idx[key]
	if !ok || s.slots[i].gen != gen {
		return Verdict{}, false
	}
	s.toFront(i)
	return s.slots[i].v, true
}

// has reports whether a verdict is stored under key for generation gen,
// without counting as a use.
func (c *verdictCache) has(key, gen uint64) bool {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.idx[key]
	return ok && s.slots[i].gen == gen
}

// put stores v under key for generation gen, evicting the least recently
// used entry of the shard when it is full.
func (c *verdictCache) put(key, gen uint64, v Verdict) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.idx[key]
	switch {
	case ok:
		s.toFront(i)
	case len(s.slots) < s.cap:
		i = int32(len(s.slots))
		s.slots = append(s.slots, cacheSlot{prev: -1, next: -1})
		s.pushFront(i)
	default:
		i = s.tail
		delete(s.idx, s.slots[i].key)
		s.toFront(i)
	}
	s.idx[key] = i
	s.slots[i].key, s.slots[i].gen, s.slots[i].v = key, gen, v
}

// invalidate makes key read as a miss and marks its slot for eviction first.
func (c *verdictCache) invalidate(key uint64) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.idx[key]; ok {
		s.slots[i].gen = 0
		s.slots[i].v = Verdict{}
		s.unlink(i)
		s.pushBack(i)
	}
}

// len returns the number of entries, stale ones included.
func (c *verdictCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.idx)
		s.mu.Unlock()
	}
	return n
}

func (s *cacheShard) toFront(i int32) {
	if s.head == i {
		return
	}
	s.unlink(i)
	s.pushFront(i)
}

func (s *cacheShard) unlink(i int32) {
	e := &s.slots[i]
	if e.prev >= 0 {
		s.slots[e.prev].next = e.next
	} else {
		s.head = e.next
	}
	if e.next >= 0 {
		s.slots[e.next].prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (s *cacheShard) pushFront(i int32) {
	e := &s.slots[i]
	e.prev, e.next = -1, s.head
	if s.head >= 0 {
		s.slots[s.head].prev = i
	}
	s.head = i
	if s.tail < 0 {
		s.tail = i
	}
}

func (s *cacheShard) pushBack(i int32) {
	e := &s.slots[i]
	e.prev, e.next = s.tail, -1
	if s.tail >= 0 {
		s.slots[s.tail].next = i
	}
	s.tail = i
	if s.head < 0 {
		s.head = i
	}
}
