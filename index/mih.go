package index

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
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
	cost    costs
	plans   [fingerprint.HashBits]atomic.Pointer[plan]
}

// plan says how to search one radius: a linear scan, or per-table radii
// (t[i] < 0 skips table i) with sum(t[i]+1) > radius.
type plan struct {
	linear bool
	t      [maxTables]int8
	cost   float64 // model estimate, nanoseconds
	// probes[i] lists the directory masks of table i, nil when there
	// are too many to keep (then they are enumerated on the fly).
	probes [maxTables]*probeList
}

// probeList is every mask of weight <= t over c bits, by weight:
// masks[ends[w-1]:ends[w]] have weight w.
type probeList struct {
	masks []uint32
	ends  []int
}

// maxProbeList bounds the masks a plan keeps per table.
const maxProbeList = 1 << 16

var probeLists sync.Map // [2]uint{c, t} -> *probeList

// probeListFor returns the masks of weight <= t over c bits, or nil if
// there are more than maxProbeList.
func probeListFor(c uint, t int) *probeList {
	key := [2]uint{c, uint(t)}
	if v, ok := probeLists.Load(key); ok {
		return v.(*probeList)
	}
	total := 0.0
	for w := 0; w <= min(t, int(c)); w++ {
		total += binomial(float64(c), float64(w))
	}
	if total > maxProbeList {
		return nil
	}
	pl := &probeList{masks: make([]uint32, 0, int(total))}
	limit := uint64(1) << c
	for w := 0; w <= min(t, int(c)); w++ {
		for v := uint64(1)<<w - 1; v < limit; v = nextMask(v) {
			pl.masks = append(pl.masks, uint32(v))
			if w == 0 {
				break
			}
		}
		pl.ends = append(pl.ends, len(pl.masks))
	}
	v, _ := probeLists.LoadOrStore(key, pl)
	return v.(*probeList)
}

// Cost model. With m substrings of s bits (s = 256/m, some s+1), the
// classic search probes each table within floor(r/m): per query
// sum over tables of sum_{k<=floor(r/m)} C(s,k) keys, and on random data
// n * sum_{k<=floor(r/m)} C(s,k) / 2^s candidates per table. The plan
// uses the generalised pigeonhole instead (radii t_i with
// sum(t_i+1) >= r+1, Qin et al.), and a directory on c <= s bits, so a
// table costs sum_{k<=t_i} C(c,k) bucket probes whose low s-c key bits
// are checked while scanning.
//
// At r = 33 (fingerprint.DefaultThreshold):
//
//	n    m   widths       classic: keys  cands | plan                  probes  cands  random cache lines
//	1M   13  9x20, 4x19   t=2:      2,663  3,268 | 2,1,2x7,1x4           1,340  1,782  4,209
//	10M  11  3x24, 8x23   t=3:     23,359 23,689 | 3,2x10                4,114  4,386  10,705
//
// (plan candidates include table 0's, which are verified in place in the
// sorted hash array; cache lines are directory lines + bucket lines +
// one per candidate of tables 1.., counted by a test harness on random
// hashes.) Nearly every line is a cache miss: one random read on the
// benchmark VM takes 205–215 ns alone and 9–11 ns when twenty or so are
// in flight (huge pages: 9). So the memory alone bounds a query at
// 10M from below by about 10,705 × 9–11 ns ≈ 100–115 µs (at 1M:
// ≈ 40–45 µs), before any instruction; measured searches run at about
// 23–28 ns per line. m = 10 and 12 need 14,839 and 12,870 lines at 10M
// (m = 12: 21-bit substrings at radius 2 give 8,669 candidates), and more
// tables do not fit in 96 bytes per entry, so exact MIH cannot reach
// 50 µs at this radius on this machine.

// autoSubstrings picks the substring count from the entry count:
// substrings of about log2(n) bits make buckets of about one entry, the
// balance of probes against candidates (Norouzi et al.). Below 1024
// entries a linear scan is as fast and needs no tables. Measured on
// random hashes at r = 33 (minimum thread CPU time per search of 7
// rounds): at 1M, m = 12: 98 µs, 13: 96 µs, 14: 108 µs; at 10M,
// m = 10: 521 µs, 11: about 310 µs, 12: 385 µs. The formula picks the
// fastest at both sizes.
func autoSubstrings(n int) int {
	if n < 1024 {
		return 1
	}
	return int(math.Round(fingerprint.HashBits / math.Log2(float64(n))))
}

// buildMIH builds m tables over hashes (sorted), in parallel.
func buildMIH(hashes []fingerprint.Hash, m int) *mih {
	return buildMIHTuned(hashes, m, 2, 1)
}

// buildMIHTuned is buildMIH with the bucket sizes as parameters: the
// directories of the posting tables and of table 0 have about
// n/2^slack and n/2^slack0 buckets.
func buildMIHTuned(hashes []fingerprint.Hash, m, slack, slack0 int) *mih {
	n := len(hashes)
	lg := int(math.Round(math.Log2(float64(max(n, 2)))))
	// Substrings of at most lg+8 bits keep the directory within ~n entries.
	m = min(max(m, 8, (fingerprint.HashBits+lg+7)/(lg+8)), maxTables)
	x := &mih{tabs: make([]table, m), idxBits: max(bitsFor(uint64(n)), 1), n: n, cost: defaultCosts}
	start := uint(0)
	for i := range x.tabs {
		t := &x.tabs[i]
		t.start = start
		t.width = uint(fingerprint.HashBits / m)
		if i < fingerprint.HashBits%m {
			t.width++
		}
		start += t.width
		// Buckets of 4–8 postings for the posting tables and 2–4 entries
		// for table 0: measured the fastest within the memory budget (each
		// halving of the bucket size doubles a directory, now at most 1
		// byte per entry per posting table and 2 for table 0).
		// floor(log2 n): a directory never has more than n/2^slack buckets.
		target := bits.Len(uint(n)) - 1 - slack
		if i == 0 {
			target = bits.Len(uint(n)) - 1 - slack0
		}
		// At most 8 low key bits (a byte for popcount8), and for the
		// posting tables at most what a uint32 leaves beside the entry.
		lowMax := 8
		if i > 0 {
			lowMax = min(lowMax, int(32-x.idxBits))
		}
		c := min(max(target, int(t.width)-lowMax, 1), int(t.width))
		t.lowBits = t.width - uint(c)
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

// build fills dir, and post unless the entries are sorted by this
// table's key (table 0).
//
// The posting table is built by a two-level radix sort: the entries are
// first partitioned by the top 8 bits of their directory key (256
// sequential write streams), then each partition, small enough for the
// L2 cache, is counting-sorted on the remaining bits. A single counting
// sort would scatter writes over the whole table, a cache miss each.
func (t *table) build(hashes []fingerprint.Hash, sorted bool, idxBits uint) {
	c := t.dirBits()
	nb := 1 << c
	dir := make([]uint32, nb+1)
	adviseHuge(dir)
	t.dir = dir
	n := len(hashes)
	if sorted {
		for j := range hashes {
			dir[t.key(&hashes[j])>>t.lowBits+1]++
		}
		for b := 1; b <= nb; b++ {
			dir[b] += dir[b-1]
		}
		return
	}
	hiBits := min(c, 8)
	loBits := c - hiBits
	keys := make([]uint32, n)
	starts := make([]uint32, 1<<hiBits+1)
	for j := range hashes {
		k := t.key(&hashes[j])
		keys[j] = k
		starts[k>>t.lowBits>>loBits+1]++
	}
	for p := 1; p < len(starts); p++ {
		starts[p] += starts[p-1]
	}
	pairs := make([]uint64, n)
	next := append([]uint32(nil), starts...)
	for j, k := range keys {
		p := k >> t.lowBits >> loBits
		pairs[next[p]] = uint64(k)<<32 | uint64(j)
		next[p]++
	}
	keys = nil
	post := make([]uint32, n)
	adviseHuge(post)
	lowMask := uint32(1)<<t.lowBits - 1
	loMask := uint32(1)<<loBits - 1
	cursor := make([]uint32, 1<<loBits)
	for p := 0; p < 1<<hiBits; p++ {
		part := pairs[starts[p]:starts[p+1]]
		clear(cursor)
		for _, kv := range part {
			cursor[uint32(kv>>32)>>t.lowBits&loMask]++
		}
		base := p << loBits
		at := starts[p]
		for q := range cursor {
			dir[base+q] = at
			at, cursor[q] = at+cursor[q], at
		}
		for _, kv := range part {
			k := uint32(kv >> 32)
			q := k >> t.lowBits & loMask
			post[cursor[q]] = (k&lowMask)<<idxBits | uint32(kv)
			cursor[q]++
		}
	}
	dir[nb] = uint32(n)
	t.post = post
}

// collapseHuge moves the tables to huge pages (see collapseHuge).
func (x *mih) collapseHuge() {
	for i := range x.tabs {
		collapseHuge(x.tabs[i].dir)
		collapseHuge(x.tabs[i].post)
	}
}

func (x *mih) bytes() int64 {
	var b int64
	for i := range x.tabs {
		b += 4 * int64(cap(x.tabs[i].dir)+cap(x.tabs[i].post))
	}
	return b
}

// costs is the search cost model, in nanoseconds, measured on the
// benchmark machine: a probe reads a directory entry and a bucket start
// at random (cache misses, partly overlapped); a scanned posting is
// sequential; a candidate of tables 1.. loads a hash at random; table 0's
// entries are scanned and checked in place; the linear scan streams every
// hash. Only ratios matter, and the chosen radii are not sensitive to them.
type costs struct{ probe, scan, candidate, scan0, linear float64 }

var defaultCosts = costs{probe: 40, scan: 1, candidate: 45, scan0: 2.5, linear: 2.5}

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
	if lin := n * x.cost.linear; !(p.cost < lin) {
		p.linear, p.cost = true, lin
		return p
	}
	for i, b := 0, need; i < m; i++ {
		t := choice[i][b]
		p.t[i] = t
		if t >= 0 {
			p.probes[i] = probeListFor(x.tabs[i].dirBits(), int(t))
		}
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
	lin := n * x.cost.linear
	var out []float64
	probes, cands := 0.0, 0.0
	for r := 0; r <= int(t.width); r++ {
		if float64(r) <= c {
			probes += binomial(c, float64(r))
		}
		cands += binomial(s, float64(r))
		var cost float64
		if i == 0 {
			cost = probes*x.cost.probe + probes*perBucket*x.cost.scan0
		} else {
			cost = probes*x.cost.probe + probes*perBucket*x.cost.scan + cands*perKey*x.cost.candidate
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
	// detail is the detail distance plus one; 0: not compared (so that
	// the zero hit needs no setting up).
	detail uint16
}

// bucket is a probed bucket: a range of table 0's entries or of a
// posting table, and the radius left for the key bits below the
// directory.
type bucket struct{ lo, hi, rem uint32 }

// searchScratch holds a search's working buffers, reused across searches.
type searchScratch struct {
	buckets []bucket
	cands   []uint32
	hits    []hit
	buf     []byte
	sink    uint64
}

// search appends every entry within radius r of q to out.
//
// Nearly all the time goes into reads at random places of arrays far
// larger than the caches: directory entries, buckets and candidate
// hashes. On this machine one random read alone takes about 200 ns, but
// reads that do not depend on each other overlap, down to about 10 ns
// each. Each table is therefore searched in stages, and the stages of
// different tables are interleaved (software pipelining): while the
// directory of table i is read, the buckets of table i-1 are touched,
// those of table i-2 scanned, the candidates of table i-3 touched and
// those of table i-4 verified. Each stage issues reads that do not depend
// on each other (touch loops have no data-dependent branches), and the
// data a stage touches is used a stage later, while still in the cache.
func (x *mih) search(hashes []fingerprint.Hash, q *fingerprint.Hash, r int, h hit, out []hit, sc *searchScratch) []hit {
	p := x.plan(r)
	if p.linear {
		return linearSearch(hashes, q, r, h, out)
	}
	m := len(x.tabs)
	var qk [maxTables]uint32
	for i := range x.tabs {
		qk[i] = x.tabs[i].key(q)
	}
	// Buckets of table i: bs[bEnd[i]:bEnd[i+1]]; its candidates:
	// cands[cEnd[i]:cEnd[i+1]].
	var bEnd, cEnd [maxTables + 1]int
	var posts [maxTables]int
	bs, cands := sc.buckets[:0], sc.cands[:0]
	var sink uint64
	for step := 0; step < m+4; step++ {
		// Stage 1: read the directory.
		if i := step; i < m {
			if t := int(p.t[i]); t >= 0 {
				bs, posts[i] = x.probe(i, t, qk[i], p.probes[i], bs)
			}
			bEnd[i+1] = len(bs)
		}
		// Stage 2: touch the buckets' first and last cache lines.
		if i := step - 1; i == 0 {
			last := uint32(len(hashes) - 1)
			for _, b := range bs[:bEnd[1]] {
				sink += hashes[min(b.lo, last)][0] + hashes[max(b.hi, 1)-1][0]
			}
		} else if i > 0 && i < m {
			post := x.tabs[i].post
			last := uint32(len(post) - 1)
			for _, b := range bs[bEnd[i]:bEnd[i+1]] {
				sink += uint64(post[min(b.lo, last)] + post[max(b.hi, 1)-1])
			}
		}
		// Stage 3: scan the buckets (table 0: verify them in place).
		if i := step - 2; i == 0 {
			out = x.scan0(hashes, q, r, qk[0], bs[:bEnd[1]], h, out)
		} else if i > 0 && i < m {
			cEnd[i] = len(cands)
			cands = x.scan(i, qk[i], bs[bEnd[i]:bEnd[i+1]], posts[i], cands)
			cEnd[i+1] = len(cands)
		}
		// Stage 4: touch the candidates' hashes.
		if i := step - 3; i > 0 && i < m {
			for _, j := range cands[cEnd[i]:cEnd[i+1]] {
				sink += hashes[j][0]
			}
		}
		// Stage 5: verify the candidates on all 256 bits.
		if i := step - 4; i > 0 && i < m {
			for _, j := range cands[cEnd[i]:cEnd[i+1]] {
				eh := &hashes[j]
				d := q.Distance(*eh)
				if d > r || x.foundEarlier(eh, i, p, &qk) {
					continue
				}
				h.idx, h.dist = j, uint16(d)
				out = append(out, h)
			}
		}
	}
	sc.buckets, sc.cands = bs, cands
	sc.sink += sink
	return out
}

// probe appends the buckets of table i within radius t of key: for each
// directory key at distance w from the query's, the low key bits may
// differ in t-w more. The masks come from pl, or if it is nil are
// enumerated with Gosper's hack.
func (x *mih) probe(i, t int, key uint32, pl *probeList, bs []bucket) ([]bucket, int) {
	tab := &x.tabs[i]
	c := tab.dirBits()
	dir := tab.dir
	np := 0
	if pl != nil {
		qc := key >> tab.lowBits
		start := 0
		for w, end := range pl.ends {
			rem := uint32(t - w)
			for _, v := range pl.masks[start:end] {
				k := qc ^ v
				lo, hi := dir[k], dir[k+1]
				bs = append(bs, bucket{lo, hi, rem})
				np += int(hi - lo)
			}
			start = end
		}
		return bs, np
	}
	qc := uint64(key >> tab.lowBits)
	limit := uint64(1) << c
	for w := 0; w <= min(t, int(c)); w++ {
		rem := uint32(t - w)
		for v := uint64(1)<<w - 1; v < limit; v = nextMask(v) {
			k := qc ^ v
			lo, hi := dir[k], dir[k+1]
			bs = append(bs, bucket{lo, hi, rem})
			np += int(hi - lo)
			if w == 0 {
				break
			}
		}
	}
	return bs, np
}

// popcount8 counts the bits of a byte. The low key bits of a table are
// at most 8 (see buildMIHTuned), and a table lookup is faster than
// bits.OnesCount when the build cannot assume the POPCNT instruction
// (GOAMD64=v1, the default).
var popcount8 = func() (t [256]uint8) {
	for i := range t {
		t[i] = uint8(bits.OnesCount8(uint8(i)))
	}
	return t
}()

// nextMask returns the next larger integer with the same number of set
// bits (Gosper's hack); v must be non-zero.
func nextMask(v uint64) uint64 {
	t := v | (v - 1)
	return (t + 1) | (((^t & -^t) - 1) >> (bits.TrailingZeros64(v) + 1))
}

// scan0 checks the probed buckets bs of table 0, which are runs of the
// sorted entry array: entries are verified in place.
func (x *mih) scan0(hashes []fingerprint.Hash, q *fingerprint.Hash, r int, key uint32, bs []bucket, h hit, out []hit) []hit {
	tab := &x.tabs[0]
	lowMask := uint8(1)<<tab.lowBits - 1
	ql := uint8(key) & lowMask
	shift := 64 - tab.width
	for _, b := range bs {
		for j := b.lo; j < b.hi; j++ {
			e := &hashes[j]
			if uint32(popcount8[uint8(e[0]>>shift)&lowMask^ql]) > b.rem {
				continue
			}
			if d := q.Distance(*e); d <= r {
				h.idx, h.dist = j, uint16(d)
				out = append(out, h)
			}
		}
	}
	return out
}

// scan appends to cands the entries of the probed buckets bs of posting
// table i (np postings in all) whose low key bits are within each
// bucket's remaining radius. Every posting is written and the count
// advances only for the kept ones: no branch to mispredict.
func (x *mih) scan(i int, key uint32, bs []bucket, np int, cands []uint32) []uint32 {
	tab := &x.tabs[i]
	ql := uint8(key) & (1<<tab.lowBits - 1)
	idxBits := x.idxBits
	idxMask := uint32(1)<<idxBits - 1
	post := tab.post
	n := len(cands)
	cands = slices.Grow(cands, np)[:n+np]
	for _, b := range bs {
		for _, e := range post[b.lo:b.hi] {
			cands[n] = e & idxMask
			n += int(b2u32(uint32(popcount8[uint8(e>>idxBits)^ql]) <= b.rem))
		}
	}
	return cands[:n]
}

// b2u32 is 1 for true and 0 for false, without a branch.
func b2u32(b bool) uint32 {
	var v uint32
	if b {
		v = 1
	}
	return v
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
