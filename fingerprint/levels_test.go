package fingerprint

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// labelRef is label before the runs at the box search's thresholds were
// found in one pass (scanLevels): it scanned the map once per threshold.
func (d *density) labelRef(tau float64) *regions {
	if g, ok := d.regions[tau]; ok {
		return g
	}
	var runs []labelRun
	if d.s != nil {
		runs = d.s.runs[:0]
		defer func() { d.s.runs = runs[:0] }()
	}
	var parent []int32
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	t := float32(tau)
	prev := 0 // first run of the previous row
	for y := 0; y < d.h; y++ {
		row := d.dens[y*d.w : (y+1)*d.w]
		cur := len(runs)
		for x0, x := denseRun(row, t, 0); x0 < len(row); x0, x = denseRun(row, t, x) {
			l := int32(-1)
			for _, q := range runs[prev:cur] {
				if q.x1 <= int32(x0) || q.x0 >= int32(x) {
					continue
				}
				r := find(q.l)
				switch {
				case l < 0:
					l = r
				case r != l:
					parent[max(r, l)] = min(r, l)
					l = min(r, l)
				}
			}
			if l < 0 {
				l = int32(len(parent))
				parent = append(parent, l)
			}
			runs = append(runs, labelRun{int32(y), int32(x0), int32(x), l})
		}
		prev = cur
	}
	// A parent never has a larger index than its child, so one pass in
	// index order points every label at its root.
	for l, q := range parent {
		parent[l] = parent[q]
	}
	d.rowTables()
	mass := make([]float64, len(parent))
	tight := make([]rect, len(parent))
	for _, q := range runs {
		l, y, x0, x1 := parent[q.l], int(q.y), int(q.x0), int(q.x1)
		o := y * d.w
		mass[l] += float64(d.inkSum[o+y+x1]-d.inkSum[o+y+x0]) / inkUnit
		first, last := d.tightSpan(y, x0, x1)
		if first >= x1 {
			continue
		}
		t := &tight[l]
		if t.empty() {
			*t = rect{first, y, last + 1, y + 1}
			continue
		}
		t.x0, t.y0 = min(t.x0, first), min(t.y0, y)
		t.x1, t.y1 = max(t.x1, last+1), max(t.y1, y+1)
	}
	g := &regions{mass: mass, tight: tight}
	d.regions[tau] = g
	return g
}

// TestLabelTaus checks that labelTaus ascend and hold every threshold the
// box search labels at: others are labelled right, but scanned alone.
func TestLabelTaus(t *testing.T) {
	if !slices.IsSorted(labelTaus[:]) {
		t.Errorf("labelTaus %v do not ascend", labelTaus)
	}
	for _, tau := range append([]float64{densityTau}, boxParams[0][0], boxParams[1][0], boxParams[2][0], boxParams[3][0]) {
		if !slices.Contains(labelTaus[:], float32(tau)) {
			t.Errorf("labelTaus %v lack %v", labelTaus, tau)
		}
	}
}

// TestLabelMatchesRef checks label against labelRef on the density maps
// of real pages and of noise, at the box search's thresholds and others.
func TestLabelMatchesRef(t *testing.T) {
	var ds []*density
	for _, p := range fastPlanes(t) {
		ds = append(ds, p.density())
	}
	rng := rand.New(rand.NewPCG(41, 42))
	for range 30 {
		w, h := 1+rng.IntN(150), 1+rng.IntN(150)
		d := &density{w: w, h: h, ink: make([]float32, w*h), dens: make([]float32, w*h), regions: map[float64]*regions{}}
		for i := range d.dens {
			// Values about the thresholds, and exactly at them.
			d.dens[i] = 0.1 * rng.Float32()
			if rng.IntN(4) == 0 {
				d.dens[i] = labelTaus[rng.IntN(len(labelTaus))]
			}
			d.ink[i] = float32(rng.IntN(3)) / 2
		}
		ds = append(ds, d)
	}
	taus := []float64{densityTau, 0.03, 0.08, 0.02, 0.2, 0.6}
	for k, d := range ds {
		e := *d
		e.regions, e.levels, e.haveLevels, e.inkSum = map[float64]*regions{}, [len(labelTaus)]levelRuns{}, false, nil
		// Every other map labels in another order.
		if k%2 == 1 {
			slices.Reverse(taus)
		}
		for _, tau := range taus {
			g, r := d.label(tau), e.labelRef(tau)
			if !slices.Equal(g.mass, r.mass) || !slices.Equal(g.tight, r.tight) {
				t.Fatalf("map %d tau %v: label differs from labelRef", k, tau)
			}
		}
	}
}

// BenchmarkLabel labels the density maps of real pages at the box
// search's three thresholds, with the row tables already built.
func BenchmarkLabel(b *testing.B) {
	var ds []*density
	for _, p := range fastPlanes(b) {
		d := p.density()
		d.rowTables()
		d.s = new(scratch) // resetScratch must not lend out the maps
		ds = append(ds, d)
	}
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				d := ds[k%len(ds)]
				resetScratch(d.s)
				clear(d.regions)
				d.haveLevels = false
				for _, tau := range []float64{densityTau, 0.03, 0.08} {
					if v == "ref" {
						d.labelRef(tau)
					} else {
						d.label(tau)
					}
				}
				k++
			}
		})
	}
}

// scanLevelsPrevRef is scanLevels as it was before the levels below the
// lowest threshold and above the highest tested one bound only.
func (d *density) scanLevelsPrevRef() {
	if d.haveLevels {
		return
	}
	d.haveLevels = true
	for k := range d.levels {
		// Room for a few runs a row; append makes more when needed.
		d.levels[k] = levelRuns{d.s.int32Room(16 * d.h), d.s.int32s(d.h + 1)}
	}
	inf := float32(math.Inf(1))
	bounds := [len(labelTaus) + 2]float32{-inf, labelTaus[0], labelTaus[1], labelTaus[2], inf}
	var open [len(labelTaus)]int
	for y := 0; y < d.h; y++ {
		row := d.dens[y*d.w : (y+1)*d.w]
		lv, x := 0, 0
		for {
			lo, hi := bounds[lv], bounds[lv+1]
			for ; x+4 <= len(row); x += 4 {
				q := (*[4]float32)(row[x:])
				if !(q[0] >= lo && q[0] < hi && q[1] >= lo && q[1] < hi && q[2] >= lo && q[2] < hi && q[3] >= lo && q[3] < hi) {
					break
				}
			}
			for x < len(row) && row[x] >= lo && row[x] < hi {
				x++
			}
			l := 0 // the level from x on; 0 past the row's end
			if x < len(row) {
				v := row[x]
				l = int(b2u(v >= labelTaus[0])) + int(b2u(v >= labelTaus[1])) + int(b2u(v >= labelTaus[2]))
			}
			for k := lv; k < l; k++ {
				open[k] = x
			}
			for k := l; k < lv; k++ {
				d.levels[k].pairs = append(d.levels[k].pairs, int32(open[k]), int32(x))
			}
			lv = l
			if x == len(row) {
				break
			}
		}
		for k := range d.levels {
			d.levels[k].start[y+1] = int32(len(d.levels[k].pairs))
		}
	}
}

// TestScanLevelsMatchesPrev checks scanLevels against scanLevelsPrevRef on
// the density maps of real pages and of values about and at the
// thresholds.
func TestScanLevelsMatchesPrev(t *testing.T) {
	ds := levelMaps(t)
	for k, d := range ds {
		e := *d
		d.haveLevels, e.haveLevels = false, false
		e.s = new(scratch)
		d.scanLevels()
		e.scanLevelsPrevRef()
		for i := range d.levels {
			if !slices.Equal(d.levels[i].pairs, e.levels[i].pairs) || !slices.Equal(d.levels[i].start, e.levels[i].start) {
				t.Fatalf("map %d level %d: scanLevels differs from scanLevelsPrevRef", k, i)
			}
		}
	}
}

// levelMaps are the density maps of the fast path's planes and of noise
// about and at the thresholds, with scratch of their own.
func levelMaps(tb testing.TB) []*density {
	var ds []*density
	for _, p := range fastPlanes(tb) {
		d := p.density()
		d.s = new(scratch)
		ds = append(ds, d)
	}
	rng := rand.New(rand.NewPCG(51, 52))
	for range 30 {
		w, h := 1+rng.IntN(150), 1+rng.IntN(150)
		d := &density{w: w, h: h, dens: make([]float32, w*h), s: new(scratch)}
		for i := range d.dens {
			d.dens[i] = 0.1 * rng.Float32()
			if rng.IntN(4) == 0 {
				d.dens[i] = labelTaus[rng.IntN(len(labelTaus))]
			}
			if rng.IntN(3) == 0 && i > 0 {
				d.dens[i] = d.dens[i-1] // runs
			}
		}
		ds = append(ds, d)
	}
	return ds
}

// BenchmarkScanLevels scans the density maps of real pages with
// scanLevelsPrevRef and scanLevels, alternately within every iteration, and
// reports each one's time per map and new/ref.
func BenchmarkScanLevels(b *testing.B) {
	var ds []*density
	for _, p := range fastPlanes(b) {
		d := p.density()
		d.s = new(scratch)
		ds = append(ds, d)
	}
	var tNew, tRef time.Duration
	for i := 0; b.Loop(); i++ {
		d := ds[i%len(ds)]
		for j := range 2 {
			resetScratch(d.s)
			d.haveLevels = false
			t0 := time.Now()
			if prev := (i+j)%2 == 1; prev {
				d.scanLevelsPrevRef()
				tRef += time.Since(t0)
			} else {
				d.scanLevels()
				tNew += time.Since(t0)
			}
		}
	}
	b.ReportMetric(float64(tRef.Nanoseconds())/float64(b.N), "ref-ns/op")
	b.ReportMetric(float64(tNew.Nanoseconds())/float64(b.N), "new-ns/op")
	b.ReportMetric(float64(tNew)/float64(tRef), "new/ref")
}
