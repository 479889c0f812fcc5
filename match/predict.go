package match

import (
	"math/bits"
	"sync"
)

// predictor remembers, for the bodies whose verdict was reached or found
// in the cache after they streamed, which body key followed their prefix
// key (see prefixKey): a streaming body whose first block and length
// name a body with a cached verdict is predicted to be that body, and is
// hashed as it passes instead of copied. A prefix once followed by a body
// whose key missed the cache is ambiguous (two bodies share it), and
// stays so until its slot is taken by another prefix: its bodies are
// copied again. It is a direct-mapped table: a prefix whose slot is
// taken by another is forgotten, and its bodies are copied, which costs
// time, never a verdict.
type predictor struct {
	shards []predShard
	mask   uint64 // slot index mask within a shard
	shift  uint   // key >> shift picks the shard
}

type predShard struct {
	mu    sync.Mutex
	slots []predSlot
	_     [32]byte // keep shard locks on separate cache lines
}

type predSlot struct {
	prefix    uint64
	key       uint64
	used      bool
	ambiguous bool
}

const predShards = 16

func newPredictor(entries int) *predictor {
	per := max(1, (entries+predShards-1)/predShards)
	per = 1 << bits.Len(uint(per-1)) // a power of two
	p := &predictor{shards: make([]predShard, predShards), mask: uint64(per - 1), shift: 64 - 4}
	for i := range p.shards {
		p.shards[i].slots = make([]predSlot, per)
	}
	return p
}

func (p *predictor) slot(prefix uint64) (*predShard, *predSlot) {
	s := &p.shards[prefix>>p.shift]
	return s, &s.slots[prefix&p.mask]
}

// predict returns the body key last seen after prefix, unless prefix is
// unknown or ambiguous.
func (p *predictor) predict(prefix uint64) (uint64, bool) {
	s, e := p.slot(prefix)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !e.used || e.prefix != prefix || e.ambiguous {
		return 0, false
	}
	return e.key, true
}

// learn records that prefix was followed by the body key, unless the
// prefix is known to be ambiguous.
func (p *predictor) learn(prefix, key uint64) {
	s, e := p.slot(prefix)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.used && e.prefix == prefix && e.ambiguous {
		return
	}
	*e = predSlot{prefix: prefix, key: key, used: true}
}

// spoil marks prefix ambiguous: a body predicted from it missed the cache.
func (p *predictor) spoil(prefix uint64) {
	s, e := p.slot(prefix)
	s.mu.Lock()
	defer s.mu.Unlock()
	*e = predSlot{prefix: prefix, used: true, ambiguous: true}
}
