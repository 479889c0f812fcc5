package match

import "github.com/zeebo/xxh3"

// keyChunk is the chunk size of bodyKey. It is fixed: the key of a body
// never depends on how its bytes arrived.
const keyChunk = 64 << 10

// bodyKey is the verdict-cache key of a body: the xxh3 hash of its first
// keyChunk bytes, each further chunk hashed with the hash so far as its
// seed (the last chunk may be shorter). A body of at most keyChunk bytes
// keys as xxh3.Hash(body).
func bodyKey(body []byte) uint64 {
	var k keyHasher
	return k.sum(body)
}

// keyHasher computes bodyKey of a buffer that grows at its end, hashing
// each chunk as soon as it is complete, while it is still in cache. The
// zero value is ready; it allocates nothing.
type keyHasher struct {
	acc  uint64 // the key of the chunks hashed so far
	done int    // bytes hashed
}

// update hashes the chunks of b completed since the last call. b must
// extend the bytes given before.
func (k *keyHasher) update(b []byte) {
	for len(b)-k.done >= keyChunk {
		k.acc = xxh3.HashSeed(b[k.done:k.done+keyChunk], k.acc)
		k.done += keyChunk
	}
}

// sum returns bodyKey(b), b being the whole body.
func (k *keyHasher) sum(b []byte) uint64 {
	k.update(b)
	if k.done < len(b) || len(b) == 0 {
		return xxh3.HashSeed(b[k.done:], k.acc)
	}
	return k.acc
}
