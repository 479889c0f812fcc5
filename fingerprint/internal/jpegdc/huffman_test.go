package jpegdc

import "testing"

// buildACReference builds the skip table the plain way, decoding every
// lookahead value, as a reference for buildAC.
func buildACReference(h *huffTable) *[1 << acLookBits]uint32 {
	const n = acLookBits
	look := make([]uint16, 1<<n)
	h.fillLook(look, n)
	skip := new([1 << acLookBits]uint32)
	for idx := range skip {
		e0 := look[idx]
		if e0 == 0 {
			skip[idx] = 0
			continue
		}
		bits, adv, eob := skipStep(uint8(e0), int(e0>>8))
		one := uint32(bits) | uint32(adv)<<skipAdvShift
		if eob {
			one |= skipEOB
		}
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
		skip[idx] = pack | one<<skipOneShift
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
