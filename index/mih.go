package index

import (
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/pagematch/pagematch/fingerprint"
)

const maxTables = 32

// table is one multi-index hashing table over the substring
// [start, start+width) of the hash (bit 0 is the most significant bit of
// word 0). The top width-lowBits bits of the substring index dir; the
// low bits are checked while scanning a bucket.
//
// Table 0 starts at bit 0, so the hash-sorted entry array is already
// ordered by its key: dir indexes the entries directly and post is nil.
// The other tables hold one uint32 posting per entry, lowKey<<idxBits |
// entry, grouped by bucket.
type table struct {
	start, width, lowBits uint
	dir                   []uint32
	post                  []uint32
}

// key returns h's substring for this table.
func (t *table) key(h *fingerprint.Hash) uint32 {
	w, off := t.start>>6, t.start&63
	v := h[w] << off
	if off+t.width > 64 {
		v |= h[w+1] >> (64 - off)
	}
	return uint32(v >> (64 - t.width))
}

func (t *table) dirBits() uint { return t.width - t.lowBits }

// mih holds the tables and the per-radius search plans.
type mih struct {
	tabs    []table
	idxBits uint
	n       int
	plans   [fingerprint.HashBits]atomic.Pointer[plan]
}

// plan says how to search one radius: a linear scan, or per-table radii
// (t[i] < 0 skips table i) with sum(t[i]+1) > radius.
type plan struct {
	linear bool
	t      [maxTables]int8
	cost   float64 // model estimate, nanoseconds
}

// autoSubstrings picks the substring count from the entry count:
// substrings of about log2(n) bits make buckets of about one entry, the
// balance of probes against candidates (Norouzi et al.). Below 1024
// entries a linear scan is as fast and needs no tables.
func autoSubstrings(n int) int {
	if n < 1024 {
		return 1
	}
	return int(math.Round(fingerprint.HashBits / math.Log2(float64(n))))
}

// buildMIH builds m tables over hashes (sorted), in parallel.
func buildMIH(hashes []fingerprint.Hash, m int) *mih {
	m = min(max(m, 8), maxTables)
	n := len(hashes)
	x := &mih{tabs: make([]table, m), idxBits: max(bitsFor(uint64(n)), 1), n: n}
	lg := int(math.Round(math.Log2(float64(max(n, 2)))))
	start := uint(0)
	for i := range x.tabs {
		t := &x.tabs[i]
		t.start = start
		t.width = uint(fingerprint.HashBits / m)
		if i < fingerprint.HashBits%m {
			t.width++
		}
		start += t.width
		// Buckets of ~8 postings (one cache line) for the posting tables;
		// ~16 entries for table 0, whose buckets are scanned sequentially.
		// The directory then costs 0.25–0.5 bytes per entry and table.
		target := lg - 3
		if i == 0 {
			target = lg - 4
		}
		c := uint(min(max(target, 1), int(t.width)))
		if i > 0 && t.width-c > 32-x.idxBits {
			c = t.width - (32 - x.idxBits)
		}
		t.lowBits = t.width - c
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range x.tabs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			x.tabs[i].build(hashes, i == 0, x.idxBits)
			<-sem
		}()
	}
	wg.Wait()
	return x
}

// build fills dir (and post, unless sorted) by counting sort.
func (t *table) build(hashes []fingerprint.Hash, sorted bool, idxBits uint) {
	nb := 1 << t.dirBits()
	dir := make([]uint32, nb+1)
	var keys []uint32
	if !sorted {
		keys = make([]uint32, len(hashes))
	}
	for j := range hashes {
		k := t.key(&hashes[j])
		if keys != nil {
			keys[j] = k
		}
		dir[k>>t.lowBits+1]++
	}
	for b := 1; b <= nb; b++ {
		dir[b] += dir[b-1]
	}
	t.dir = dir
	if sorted {
		return
	}
	// Scatter, advancing each bucket's start; afterwards dir[b] holds the
	// start of bucket b+1, so shift it back by one.
	post := make([]uint32, len(hashes))
	lowMask := uint32(1)<<t.lowBits - 1
	for j, k := range keys {
		b := k >> t.lowBits
		post[dir[b]] = (k&lowMask)<<idxBits | uint32(j)
		dir[b]++
	}
	copy(dir[1:], dir[:nb])
	dir[0] = 0
	t.post = post
}

func (x *mih) bytes() int64 {
	var b int64
	for i := range x.tabs {
		b += 4 * int64(cap(x.tabs[i].dir)+cap(x.tabs[i].post))
	}
	return b
}

// Cost model, in nanoseconds, measured on the benchmark machine (see
// BenchmarkSearch): a probe is a directory read (usually a cache miss); a
// posting scan is sequential; a candidate check of tables 1.. loads a
// random hash (a cache miss, overlapped with others); table 0's entries
// are scanned and checked in place; the linear scan streams all hashes.
const (
	costProbe     = 12.0
	costScan      = 0.6
	costCandidate = 8.0
	costScan0     = 1.2
	costLinear    = 1.6
)

// plan returns the search plan for radius r (0 <= r < 256), computing it
// on first use.
func (x *mih) plan(r int) *plan {
	if p := x.plans[r].Load(); p != nil {
		return p
	}
	p := x.makePlan(r)
	x.plans[r].Store(p)
	return p
}

// makePlan chooses per-table radii minimising the modelled cost, subject
// to sum(t_i+1) >= r+1 (the general pigeonhole principle), by dynamic
// programming over the tables; or a linear scan if that is cheaper.
func (x *mih) makePlan(r int) *plan {
	n := float64(x.n)
	need := r + 1
	m := len(x.tabs)
	inf := math.Inf(1)
	// best[i][b]: least cost of tables i.. given b more radius units needed.
	best := make([][]float64, m+1)
	choice := make([][]int8, m)
	for i := range best {
		best[i] = make([]float64, need+1)
	}
	for b := 1; b <= need; b++ {
		best[m][b] = inf
	}
	for i := m - 1; i >= 0; i-- {
		choice[i] = make([]int8, need+1)
		costs := x.tableCosts(i, n)
		for b := 0; b <= need; b++ {
			best[i][b], choice[i][b] = best[i+1][b], -1
			for t := 0; t < len(costs); t++ {
				if c := costs[t] + best[i+1][max(b-t-1, 0)]; c < best[i][b] {
					best[i][b], choice[i][b] = c, int8(t)
				}
			}
		}
	}
	p := &plan{cost: best[0][need]}
	if lin := n * costLinear; !(p.cost < lin) {
		p.linear, p.cost = true, lin
		return p
	}
	for i, b := 0, need; i < m; i++ {
		t := choice[i][b]
		p.t[i] = t
		b = max(b-int(t)-1, 0)
	}
	return p
}

// tableCosts returns the modelled cost of searching table i at each
// radius t = 0..width (stopping early once it exceeds a linear scan).
func (x *mih) tableCosts(i int, n float64) []float64 {
	t := &x.tabs[i]
	c, s := float64(t.dirBits()), float64(t.width)
	perBucket := n / math.Exp2(c)
	perKey := n / math.Exp2(s)
	lin := n * costLinear
	var out []float64
	probes, cands := 0.0, 0.0
	for r := 0; r <= int(t.width); r++ {
		if float64(r) <= c {
			probes += binomial(c, float64(r))
		}
		cands += binomial(s, float64(r))
		var cost float64
		if i == 0 {
			cost = probes*costProbe + probes*perBucket*costScan0
		} else {
			cost = probes*costProbe + probes*perBucket*costScan + cands*perKey*costCandidate
		}
		if cost > lin {
			break
		}
		out = append(out, cost)
	}
	return out
}

func binomial(n, k float64) float64 {
	if k < 0 || k > n {
		return 0
	}
	a, _ := math.Lgamma(n + 1)
	b, _ := math.Lgamma(k + 1)
	c, _ := math.Lgamma(n - k + 1)
	return math.Round(math.Exp(a - b - c))
}

// hit is a search result before its ID and metadata are decoded.
type hit struct {
	idx     uint32
	dist    uint16
	variant uint8 // fingerprint.VariantKind
	order   uint8 // position of the variant in the query
}

// search appends every entry within radius r of q.
func (x *mih) search(hashes []fingerprint.Hash, q *fingerprint.Hash, r int, h hit, out []hit) []hit {
	p := x.plan(r)
	if p.linear {
		return linearSearch(hashes, q, r, h, out)
	}
	var qk [maxTables]uint32
	for i := range x.tabs {
		qk[i] = x.tabs[i].key(q)
	}
	for i := range x.tabs {
		t := int(p.t[i])
		if t < 0 {
			continue
		}
		if i == 0 {
			out = x.probe0(hashes, q, r, t, qk[0], h, out)
		} else {
			out = x.probe(hashes, q, r, i, p, &qk, h, out)
		}
	}
	return out
}

// nextMask returns the next larger integer with the same number of set
// bits (Gosper's hack); v must be non-zero.
func nextMask(v uint64) uint64 {
	t := v | (v - 1)
	return (t + 1) | (((^t & -^t) - 1) >> (bits.TrailingZeros64(v) + 1))
}

// probe0 searches table 0: each probed bucket is a run of the sorted
// entry array, checked in place.
func (x *mih) probe0(hashes []fingerprint.Hash, q *fingerprint.Hash, r, t int, qkey uint32, h hit, out []hit) []hit {
	tab := &x.tabs[0]
	c := tab.dirBits()
	qc, ql := uint64(qkey>>tab.lowBits), qkey&(1<<tab.lowBits-1)
	lowMask := uint32(1)<<tab.lowBits - 1
	shift := 64 - tab.width
	limit := uint64(1) << c
	dir := tab.dir
	for w := 0; w <= min(t, int(c)); w++ {
		rem := t - w
		for v := uint64(1)<<w - 1; v < limit; v = nextMask(v) {
			k := qc ^ v
			for j := dir[k]; j < dir[k+1]; j++ {
				e := &hashes[j]
				if bits.OnesCount32(uint32(e[0]>>shift)&lowMask^ql) > rem {
					continue
				}
				if d := q.Distance(*e); d <= r {
					h.idx, h.dist = j, uint16(d)
					out = append(out, h)
				}
			}
			if w == 0 {
				break
			}
		}
	}
	return out
}

// probe searches posting table i. An entry is reported by the first table
// in which it lies within that table's radius, so none is reported twice.
func (x *mih) probe(hashes []fingerprint.Hash, q *fingerprint.Hash, r, i int, p *plan, qk *[maxTables]uint32, h hit, out []hit) []hit {
	tab := &x.tabs[i]
	t := int(p.t[i])
	c := tab.dirBits()
	qc, ql := uint64(qk[i]>>tab.lowBits), qk[i]&(1<<tab.lowBits-1)
	idxBits := x.idxBits
	idxMask := uint32(1)<<idxBits - 1
	limit := uint64(1) << c
	dir, post := tab.dir, tab.post
	for w := 0; w <= min(t, int(c)); w++ {
		rem := t - w
		for v := uint64(1)<<w - 1; v < limit; v = nextMask(v) {
			k := qc ^ v
			for _, e := range post[dir[k]:dir[k+1]] {
				if bits.OnesCount32(e>>idxBits^ql) > rem {
					continue
				}
				j := e & idxMask
				eh := &hashes[j]
				d := q.Distance(*eh)
				if d > r || x.foundEarlier(eh, i, p, qk) {
					continue
				}
				h.idx, h.dist = j, uint16(d)
				out = append(out, h)
			}
			if w == 0 {
				break
			}
		}
	}
	return out
}

// foundEarlier reports whether a table before i reports e.
func (x *mih) foundEarlier(e *fingerprint.Hash, i int, p *plan, qk *[maxTables]uint32) bool {
	for j := 0; j < i; j++ {
		if t := int(p.t[j]); t >= 0 && bits.OnesCount32(x.tabs[j].key(e)^qk[j]) <= t {
			return true
		}
	}
	return false
}

// linearSearch checks every entry.
func linearSearch(hashes []fingerprint.Hash, q *fingerprint.Hash, r int, h hit, out []hit) []hit {
	for j := range hashes {
		if d := q.Distance(hashes[j]); d <= r {
			h.idx, h.dist = uint32(j), uint16(d)
			out = append(out, h)
		}
	}
	return out
}
