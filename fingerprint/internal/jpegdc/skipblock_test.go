package jpegdc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// The scan loops as they were before skipLong could be inlined (kept to
// compare against, in results and in speed).

func (t *lumaTables) rowPrevRef(row []int32, buf []byte, s bitState, pred int32) (_ bitState, _ int32, ok bool) {
	lim := len(buf) - 8
	if lim < 0 {
		return s, pred, false // cannot happen: see unstuff
	}
	acc, n, pos := s.acc, s.n, s.pos
	blank, dc, ac := t.blank, t.dc, t.ac
	for j := 0; j < len(row); j++ {
		b := blank[acc>>(64-blankBits)]
		e := dc.dcLook[acc>>(64-dcLookBits)]
		acc, n, pos = refill(buf, lim, acc, n, pos)
		if b != 0 {
			// A blank block, in one lookup.
			pred += int32(int8(b >> 8))
			row[j] = pred
			if b&0xf0 != 0 && j+1 < len(row) {
				// And a second one, difference 0, in the same row.
				j++
				row[j] = pred
				acc <<= b >> 4 & 15
				n -= uint(b >> 4 & 15)
			} else {
				acc <<= b & 15
				n -= uint(b & 15)
			}
			continue
		}
		if e == 0 {
			if e = dc.dcSlow(acc); e == 0 {
				return s, pred, false
			}
		}
		pred += dcDiff(acc, e)
		row[j] = pred
		acc <<= e >> 8 & 63
		n -= uint(e >> 8)
		if ac == nil {
			continue
		}
		// A block that is its end of block alone (blank paper) needs
		// no call: the ≥ 25 bits left after the DC hold the code.
		if e := ac.acSkip[acc>>(64-acLookBits)]; e>>skipAdvShift == skipEOB>>skipAdvShift|1 {
			acc <<= e & skipBitsMask
			n -= uint(e & skipBitsMask)
		} else if acc, n, pos, ok = ac.skipBlockPrevRef(buf, acc, n, pos, 1); !ok {
			return s, pred, false
		}
	}
	return bitState{acc, n, pos}, pred, true
}

func (h *huffTable) skipBlockPrevRef(buf []byte, acc uint64, n uint, pos int, k uint32) (_ uint64, _ uint, _ int, ok bool) {
	skip := h.acSkip[:]
	if pastEnd(buf, pos) {
		return acc, n, pos, false
	}
	for {
		// The lookups that stay inside the block, in a loop of their
		// own: fewer register moves per lookup.
		var e uint32
		for {
			e = uint32(skip[acc>>(64-acLookBits)])
			// refill, without the clamp (see blockSlack); written
			// out, the loop compiles to fewer instructions.
			acc |= binary.BigEndian.Uint64(buf[pos:pos+8]) >> (n & 63)
			pos += 7 - int(n>>3)
			n |= 56
			if k+e>>skipAdvShift >= 64 {
				break
			}
			acc <<= e & skipBitsMask
			n -= uint(e & skipBitsMask)
			k += e >> skipAdvShift
		}
		a := k + e>>skipAdvShift
		switch {
		case e == skipLongCode:
			// One coefficient of up to 31 bits.
			e := h.skipLongPrevRef(acc)
			if e == 0 {
				return acc, n, pos, false
			}
			acc, n, k = skipAC(e, acc, n, k)
		case a&skipAdvMask > 64:
			// The pack runs past the end of the block: its first
			// coefficient alone (a valid code no longer than the
			// lookahead).
			sym, l, _ := h.decodeSlow(acc, 1)
			bits, adv, _ := skipStep(sym, int(l))
			acc, n, k = acc<<bits, n-uint(bits), k+uint32(adv)
		default:
			acc, n, k = acc<<(e&skipBitsMask), n-uint(e&skipBitsMask), a
		}
		if k >= 64 {
			return acc, n, pos, true
		}
	}
}

func (h *huffTable) skipLongPrevRef(acc uint64) uint32 {
	if i := uint32(acc>>(64-maxCodeLen)) - h.acLongBase; i < uint32(len(h.acLong)) {
		return h.acLong[i]
	}
	if len(h.acLong) != 0 {
		return 0 // below the long codes: cannot happen after a skip miss
	}
	sym, l, ok := h.decodeSlow(acc, acLookBits+1)
	if !ok {
		return 0
	}
	bits, a, eob := skipStep(sym, int(l))
	e := skipEntry(bits, a, eob)
	return e | e<<skipOneShift
}

// lumaScan is a decoded greyscale page's single scan, to run row and
// rowPrevRef over.
type lumaScan struct {
	t        lumaTables
	buf      []byte
	from, to int
	blocks   int
}

// lumaScanOf decodes data, a sequential greyscale JPEG without restart
// markers, and returns its scan.
func lumaScanOf(tb testing.TB, data []byte) lumaScan {
	tb.Helper()
	d := NewDecoder()
	if _, _, err := d.Decode(data, nil); err != nil {
		tb.Fatal(err)
	}
	if d.nComp != 1 || d.cfg.Progressive || len(d.rst) != 2 {
		tb.Fatalf("not a sequential greyscale scan without restart markers")
	}
	dc, ac := d.blocks[0].dc, d.blocks[0].ac
	return lumaScan{t: lumaTables{dc: dc, ac: ac, blank: d.blank.blankFor(dc, ac)},
		buf: d.buf, from: d.rst[0], to: d.rst[1], blocks: d.outW * d.outH}
}

// run decodes the scan's blocks with row (or rowPrevRef) from bit state s.
func (l *lumaScan) run(out []int32, s bitState, prev bool) (bitState, int32, bool) {
	if prev {
		return l.t.rowPrevRef(out, l.buf, s, 0)
	}
	return l.t.row(out, l.buf, s, 0)
}

func (l *lumaScan) start() bitState {
	var s bitState
	s.acc, s.n, s.pos = refill(l.buf, len(l.buf)-8, 0, 0, l.from)
	return s
}

// greyScans are the sequential greyscale pages of realPages without
// restart markers.
func greyScans(tb testing.TB) map[string]lumaScan {
	out := map[string]lumaScan{}
	for _, p := range realPages() {
		if strings.HasPrefix(p.name, "grey-s") {
			out[p.name] = lumaScanOf(tb, p.data)
		}
	}
	return out
}

// TestRowMatchesPrev checks that row gives rowPrevRef's DC values, final
// bit state and validity on real scans, and on copies with corrupted bytes
// and with the scan cut short (zero bits past the cut).
func TestRowMatchesPrev(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for name, l := range greyScans(t) {
		orig := l.buf
		for i := range 40 {
			l.buf = bytes.Clone(orig)
			label := name
			switch {
			case i == 1:
				// Cut in the middle: zeros to the end.
				clear(l.buf[(l.from+l.to)/2:])
				label += " cut"
			case i > 1:
				for range 1 + i%5 {
					l.buf[l.from+rng.IntN(l.to-l.from)] = uint8(rng.Uint32())
				}
				label = fmt.Sprintf("%s corrupted %d", name, i)
			}
			got, want := make([]int32, l.blocks), make([]int32, l.blocks)
			s, pred, ok := l.run(got, l.start(), false)
			sRef, predRef, okRef := l.run(want, l.start(), true)
			if ok != okRef || ok && (s != sRef || pred != predRef || !slices.Equal(got, want)) {
				t.Fatalf("%s: row gives %v %v %v, the previous loop %v %v %v", label, s, pred, ok, sRef, predRef, okRef)
			}
		}
	}
}

// BenchmarkRow decodes the whole scan of each greyscale page with the
// previous loops and the current ones, alternately within every iteration
// so that both see the same load on a noisy machine: the entropy decoding
// alone, per page. It reports each one's time per page and new/ref.
func BenchmarkRow(b *testing.B) {
	scans := greyScans(b)
	for _, name := range []string{"grey-s0", "grey-s1", "grey-s2"} {
		l := scans[name]
		out := make([]int32, l.blocks)
		b.Run(name, func(b *testing.B) {
			var tNew, tRef time.Duration
			for i := 0; b.Loop(); i++ {
				for j := range 2 {
					prev := (i+j)%2 == 1
					t0 := time.Now()
					_, _, ok := l.run(out, l.start(), prev)
					if prev {
						tRef += time.Since(t0)
					} else {
						tNew += time.Since(t0)
					}
					if !ok {
						b.Fatal("invalid scan")
					}
				}
			}
			b.ReportMetric(float64(tRef.Nanoseconds())/float64(b.N), "ref-ns/op")
			b.ReportMetric(float64(tNew.Nanoseconds())/float64(b.N), "new-ns/op")
			b.ReportMetric(float64(tNew)/float64(tRef), "new/ref")
		})
	}
}
