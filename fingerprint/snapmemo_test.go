package fingerprint

import (
	"slices"
	"testing"
)

// altBoxesRef is altBoxes before snapBy remembered its boxes: every
// reading snapped its box afresh.
func (d *density) altBoxesRef(box, tight, full rect) []rect {
	if box.empty() {
		return nil
	}
	sides := [4][]int{{box.x0}, {box.y0}, {box.x1}, {box.y1}}
	var alts []rect
	for _, bp := range boxParams {
		alt := d.box(full, bp[0], bp[1])
		alts = append(alts, alt, d.snapSides(alt, primarySnap))
	}
	g := d.gapSnap(box)
	alts = append(alts, tight, g, d.snapSides(g, primarySnap))
	for _, r := range snapRules {
		alts = append(alts, d.snapSides(tight, r))
	}
	for _, alt := range alts {
		if alt.empty() {
			continue
		}
		for i, v := range [4]int{alt.x0, alt.y0, alt.x1, alt.y1} {
			if !slices.ContainsFunc(sides[i], func(u int) bool { return abs(u-v) <= sideMerge }) {
				sides[i] = append(sides[i], v)
			}
		}
	}
	var out []rect
	var idx [4]int
	for {
		r := rect{sides[0][idx[0]], sides[1][idx[1]], sides[2][idx[2]], sides[3][idx[3]]}
		if r != box && !r.empty() {
			out = append(out, r)
		}
		i := 0
		for ; i < 4; i++ {
			if idx[i]++; idx[i] < len(sides[i]) {
				break
			}
			idx[i] = 0
		}
		if i == 4 {
			break
		}
	}
	changed := func(r rect) int {
		n := 0
		for _, v := range [4]int{r.x0 - box.x0, r.y0 - box.y0, r.x1 - box.x1, r.y1 - box.y1} {
			if v != 0 {
				n++
			}
		}
		return n
	}
	slices.SortStableFunc(out, func(a, b rect) int { return changed(a) - changed(b) })
	return out[:min(len(out), maxAltBoxes)]
}

// primarySnap is the rule of snap.
var primarySnap = snapRule{frameCover, 1, snapReach, false, strayCover}

// TestAltBoxesMatchesRef checks the boxes of fromPlane's box search, with
// snapBy remembering its boxes, against altBoxesRef on real pages.
func TestAltBoxesMatchesRef(t *testing.T) {
	for k, p := range fastPlanes(t) {
		full := rect{0, 0, p.w, p.h}
		d := p.density()
		tight := d.box(full, densityTau, keepShare)
		box := d.snap(tight)
		got := d.altBoxes(box, tight, full)
		if box != d.snapSides(tight, primarySnap) {
			t.Fatalf("plane %d: snap differs from snapSides", k)
		}
		if want := d.altBoxesRef(box, tight, full); !slices.Equal(got, want) {
			t.Fatalf("plane %d: altBoxes %v, want %v", k, got, want)
		}
		// Again, from what snapBy remembers.
		if again := d.altBoxes(box, tight, full); !slices.Equal(got, again) {
			t.Fatalf("plane %d: altBoxes %v the second time, %v the first", k, again, got)
		}
	}
}

// BenchmarkAltBoxes snaps the box and finds the alternative boxes of real
// pages, with their regions already labelled.
func BenchmarkAltBoxes(b *testing.B) {
	var ds []*density
	var tights []rect
	for _, p := range fastPlanes(b) {
		d := p.density()
		full := rect{0, 0, p.w, p.h}
		tights = append(tights, d.box(full, densityTau, keepShare))
		d.altBoxes(d.snap(tights[len(tights)-1]), tights[len(tights)-1], full)
		ds = append(ds, d)
	}
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				i := k % len(ds)
				d, tight, full := ds[i], tights[i], rect{0, 0, ds[i].w, ds[i].h}
				d.snaps = d.snaps[:0]
				if v == "ref" {
					d.altBoxesRef(d.snapSides(tight, primarySnap), tight, full)
				} else {
					d.altBoxes(d.snap(tight), tight, full)
				}
				k++
			}
		})
	}
}
