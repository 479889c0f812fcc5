package match

import "testing"

func TestCacheLRU(t *testing.T) {
	c := newVerdictCache(3) // 2 shards would split 3 unevenly: force one shard
	c = &verdictCache{shards: c.shards[:1], shift: 64}
	c.shards[0].cap = 3
	for k := uint64(1); k <= 3; k++ {
		c.put(k, 1, Verdict{Distance: int(k)})
	}
	if _, ok := c.get(1, 1); !ok { // 1 becomes most recent
		t.Fatal("1 missing")
	}
	c.put(4, 1, Verdict{Distance: 4}) // evicts 2, the least recent
	if _, ok := c.get(2, 1); ok {
		t.Error("2 should have been evicted")
	}
	for _, k := range []uint64{1, 3, 4} {
		if v, ok := c.get(k, 1); !ok || v.Distance != int(k) {
			t.Errorf("key %d: %+v %v", k, v, ok)
		}
	}
	if _, ok := c.get(4, 2); ok {
		t.Error("entry of generation 1 read under generation 2")
	}
	c.invalidate(3)
	if _, ok := c.get(3, 1); ok {
		t.Error("invalidated entry still read")
	}
	c.put(5, 1, Verdict{}) // reuses the invalidated slot first
	for _, k := range []uint64{1, 4, 5} {
		if _, ok := c.get(k, 1); !ok {
			t.Errorf("key %d evicted instead of the invalidated one", k)
		}
	}
	if n := c.len(); n != 3 {
		t.Errorf("len = %d", n)
	}
}

func TestCacheShardsBound(t *testing.T) {
	for _, n := range []int{1, 2, 5, 16, 1000} {
		c := newVerdictCache(n)
		for k := uint64(0); k < 10000; k++ {
			c.put(k*0x9e3779b97f4a7c15, 1, Verdict{})
		}
		total := 0
		for i := range c.shards {
			total += c.shards[i].cap
		}
		if got := c.len(); got > total || total > n+len(c.shards) {
			t.Errorf("n=%d: %d entries, capacity %d", n, got, total)
		}
	}
}

func BenchmarkCacheGet(b *testing.B) {
	c := newVerdictCache(1 << 16)
	for k := uint64(0); k < 1<<16; k++ {
		c.put(k*0x9e3779b97f4a7c15, 1, Verdict{Kind: KindNoMatch})
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		k := uint64(0)
		for pb.Next() {
			c.get((k&0xffff)*0x9e3779b97f4a7c15, 1)
			k++
		}
	})
}
