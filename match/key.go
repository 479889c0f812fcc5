package match

import (
	"encoding/binary"

	"github.com/zeebo/xxh3"
)

// keyBlock is the block size of bodyKey. It is fixed, so the key of a
// body never depends on how its bytes arrived; it is small, so a body
// streaming through someone else's buffer (ReverseProxy reads 32 KB at a
// time) is hashed in place, block by block, with at most a block's bytes
// kept aside between reads.
const keyBlock = 4 << 10

// bodyKey is the verdict-cache key of a body: the xxh3 hash of each
// keyBlock-byte block (the last may be shorter), the first block's hash
// being the key of the first block and each further block's hash folded
// in as key = xxh3(block hash, little-endian, seeded with the key so far).
// A body of at most keyBlock bytes keys as xxh3.Hash(body).
func bodyKey(body []byte) uint64 {
	var k keyHasher
	for len(body) >= keyBlock {
		k.absorb(body[:keyBlock])
		body = body[keyBlock:]
	}
	return k.sum(body)
}

// keyHasher folds the blocks of a body into its key, one full block at a
// time, in order. The zero value is ready; it allocates nothing.
type keyHasher struct {
	acc    uint64 // the key of the blocks absorbed so far
	blocks int64  // blocks absorbed
}

// absorb folds in the next full block (keyBlock bytes).
func (k *keyHasher) absorb(block []byte) {
	h := xxh3.Hash(block)
	if k.blocks == 0 {
		k.acc = h
	} else {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], h)
		k.acc = xxh3.HashSeed(w[:], k.acc)
	}
	k.blocks++
}

// sum returns the key of the body: the blocks absorbed followed by tail,
// the last bytes (fewer than keyBlock). It does not change k.
func (k *keyHasher) sum(tail []byte) uint64 {
	if len(tail) == 0 && k.blocks > 0 {
		return k.acc
	}
	last := *k
	last.absorb(tail)
	return last.acc
}

// prefixKey names a body by its first block's hash and its declared
// length (-1 if unknown): what predicts, before the rest has arrived,
// that the body is one whose verdict is cached.
func prefixKey(first uint64, n int64) uint64 {
	var w [8]byte
	binary.LittleEndian.PutUint64(w[:], uint64(n))
	return xxh3.HashSeed(w[:], first^0x7061676570726566) // "pageprefix"
}
