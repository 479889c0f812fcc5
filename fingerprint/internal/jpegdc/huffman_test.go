package jpegdc

import "testing"

// buildACReference builds the skip table the plain way, decoding every
// lookahead value, as a reference for buildAC.
func buildACReference(h *huffTable) *[1 << acLookBits]uint16 {
	const n = acLookBits
	look := make([]uint16, 1<<n)
	h.fillLook(look, n)
	skip := new([1 << acLookBits]uint16)
	for idx := range skip {
		e0 := look[idx]
		if e0 == 0 {
			skip[idx] = skipLongCode
			continue
		}
		bits, adv, eob := skipStep(uint8(e0), int(e0>>8))
		// Extend the pack while the next code lies wholly inside the
		// lookahead and the run stays within one block.
		pbits, padv, peob := bits, adv, eob
		for !peob && pbits < n {
			e := look[(idx<<pbits)&(1<<n-1)]
			l := int(e >> 8)
			if e == 0 || pbits+l > n {
				break
			}
			b, a, x := skipStep(uint8(e), l)
			if padv+a > 64 {
				break
			}
			pbits, padv, peob = pbits+b, padv+a, x
		}
		pack := uint32(pbits) | uint32(padv)<<skipAdvShift
		if peob {
			pack |= skipEOB
		}
		skip[idx] = uint16(pack)
	}
	return skip
}

func TestBuildACMatchesReference(t *testing.T) {
	grey, _ := benchPages()
	tables := 0
	for _, data := range append([][]byte{grey}, func() (out [][]byte) {
		for _, name := range testdataFiles(t) {
			out = append(out, readTestdata(t, name))
		}
		return out
	}()...) {
		var d Decoder
		if _, _, err := d.Decode(data, nil); err != nil {
			t.Fatal(err)
		}
		for i := range d.ac {
			h := &d.ac[i]
			if !h.valid {
				continue
			}
			h.buildAC()
			if *h.acSkip != *buildACReference(h) {
				t.Fatalf("skip table %d differs from the reference", i)
			}
			tables++
		}
	}
	t.Logf("%d tables", tables)
}

func BenchmarkBuildAC(b *testing.B) {
	grey, _ := benchPages()
	var d Decoder
	if _, _, err := d.Decode(grey, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d.ac[0].buildAC()
	}
}

// TestSkipLong checks skipLong against decodeSlow for every 16-bit value
// the skip table leaves to it, with tables whose long codes fit acLong and
// one with too many for it.
func TestSkipLong(t *testing.T) {
	var tables []*huffTable
	for _, name := range testdataFiles(t) {
		var d Decoder
		if _, _, err := d.Decode(readTestdata(t, name), nil); err != nil {
			continue
		}
		for i := range d.ac {
			if d.ac[i].valid {
				tables = append(tables, &d.ac[i])
			}
		}
	}
	// One 1-bit code, then 16-bit codes: 2048 lookahead values start a
	// long code, too many for acLong.
	dht := make([]byte, 16, 16+41)
	dht[0], dht[15] = 1, 40
	for v := range 41 {
		dht = append(dht, uint8(v*6+1))
	}
	var wide huffTable
	if _, err := wide.define(dht); err != nil {
		t.Fatal(err)
	}
	tables = append(tables, &wide)
	long, slow := 0, 0
	for _, h := range tables {
		h.buildAC()
		if len(h.acLong) == 0 {
			slow++
		} else {
			long++
		}
		for v := range uint64(1 << maxCodeLen) {
			acc := v << (64 - maxCodeLen)
			if h.acSkip[acc>>(64-acLookBits)] != skipLongCode {
				continue
			}
			var want uint32
			if sym, l, ok := h.decodeSlow(acc, acLookBits+1); ok {
				b, a, x := skipStep(sym, int(l))
				want = skipEntry(b, a, x) * (1 + 1<<skipOneShift)
			}
			if got := h.skipLong(acc); got != want {
				t.Fatalf("%016b: skipLong %#x, want %#x", v, got, want)
			}
		}
	}
	if long == 0 || slow != 1 {
		t.Errorf("%d tables with acLong, %d without", long, slow)
	}
}

// TestBlankTable checks every entry of the blank-block table against
// canonical decoding: a blank block is a DC code (within the DC lookahead)
// and its magnitude bits, then an end of block (none without an AC table,
// as in progressive DC scans); the pair, a second one of difference 0.
func TestBlankTable(t *testing.T) {
	grey, colour := benchPages()
	pairs := 0
	for _, data := range [][]byte{grey, colour, readTestdata(t, "base_420_opt.jpg"), readTestdata(t, "grey_q50.jpg")} {
		var d Decoder
		if _, _, err := d.Decode(data, nil); err != nil {
			t.Fatal(err)
		}
		for _, ac := range []*huffTable{&d.ac[0], nil} {
			dc := &d.dc[0]
			look := d.blank.blankFor(dc, ac)
			// blank decodes a blank block canonically at the top of acc
			// (blankBits valid bits), returning its bits and difference.
			blank := func(acc uint64, avail int) (int, int32, bool) {
				sym, l, ok := dc.decodeSlow(acc, 1)
				if !ok || sym > 7 || l > dcLookBits || int(l)+int(sym) > avail {
					return 0, 0, false
				}
				diff := dcDiff(acc, uint16(l+uint(sym))<<8|uint16(sym))
				r := int(l) + int(sym)
				if ac == nil {
					return r, diff, true
				}
				asym, al, ok := ac.decodeSlow(acc<<r, 1)
				if !ok || asym != 0 || r+int(al) > avail {
					return 0, 0, false
				}
				return r + int(al), diff, true
			}
			for v := range uint64(1 << blankBits) {
				acc := v << (64 - blankBits)
				var want uint16
				if r, diff, ok := blank(acc, blankBits); ok {
					want = uint16(r) | uint16(uint8(int8(diff)))<<8
					if r2, diff2, ok := blank(acc<<r, blankBits-r); ok && diff2 == 0 {
						want |= uint16(r+r2) << 4
						pairs++
					}
				}
				if look[v] != want {
					t.Fatalf("ac %v, %012b: blank entry %#x, want %#x", ac != nil, v, look[v], want)
				}
			}
		}
	}
	if pairs == 0 {
		t.Error("no pairs")
	}
}
