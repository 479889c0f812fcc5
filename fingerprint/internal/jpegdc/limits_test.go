package jpegdc

import (
	"bytes"
	"errors"
	"image"
	"math/rand/v2"
	"runtime"
	"testing"
)

// hugeHeader is a JPEG whose frame header declares 65535×65535 greyscale.
func hugeHeader() []byte {
	return []byte{
		0xFF, 0xD8, // SOI
		0xFF, 0xC0, 0, 11, 8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0x11, 0, // SOF0
		0xFF, 0xD9, // EOI
	}
}

func TestTooLarge(t *testing.T) {
	data := hugeHeader()
	for _, limit := range []int64{0, 1 << 20, 65535*65535 - 1} {
		if _, _, err := Decode(data, limit); !errors.Is(err, ErrTooLarge) {
			t.Errorf("limit %d: got %v, want ErrTooLarge", limit, err)
		}
	}
	// Nothing proportional to the image is allocated before the check.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 100
	for range runs {
		_, _, _ = Decode(data, 1<<20)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 32<<10 {
		t.Errorf("%d bytes allocated per rejected decode", per)
	}
	d := NewDecoder(WithMaxPixels(1 << 20))
	allocs := testing.AllocsPerRun(runs, func() { _, _, _ = d.Decode(data, nil) })
	if allocs > 6 { // the wrapped error only
		t.Errorf("%.0f allocations per rejected decode with a Decoder", allocs)
	}
	// The limit applies to the pixel count, not to either side.
	small := hugeHeader()
	small[7], small[8], small[9], small[10] = 0, 1, 0xFF, 0xFF // 65535×1
	if _, _, err := Decode(small, 1<<20); errors.Is(err, ErrTooLarge) {
		t.Errorf("65535×1 rejected as too large")
	}
}

// truncationSamples are files whose every prefix is decoded.
var truncationSamples = []string{"grey_q50.jpg", "prog_dc_split.jpg", "rst_420_row.jpg", "prog_rst.jpg"}

func TestTruncated(t *testing.T) {
	for _, name := range truncationSamples {
		data := readTestdata(t, name)
		want, _, err := Decode(data, 0)
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for n := range len(data) {
			img, _, err := Decode(data[:n], 0)
			switch {
			case err == nil:
				ok++
				if !bytes.Equal(img.Pix, want.Pix) {
					t.Errorf("%s[:%d]: decoded without error but differs", name, n)
				}
			case !errors.Is(err, ErrFormat):
				t.Errorf("%s[:%d]: %v is not ErrFormat", name, n, err)
			}
		}
		t.Logf("%s: %d of %d prefixes decode", name, ok, len(data))
	}
}

// TestProgressiveStopsAfterLumaDC checks that progressive files cut right
// after their last DC scan decode the same as the whole files.
func TestProgressiveStopsAfterLumaDC(t *testing.T) {
	for _, name := range []string{"prog_grey.jpg", "prog_rst.jpg", "prog_dc_split.jpg"} {
		data := readTestdata(t, name)
		want, _, err := Decode(data, 0)
		if err != nil {
			t.Fatal(err)
		}
		// 0xFF 0xDA cannot occur inside entropy-coded data.
		var sos []int
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte{0xFF, 0xDA})
			if j < 0 {
				break
			}
			sos = append(sos, i+j)
			i += j + 2
		}
		sos = append(sos, len(data)-2) // EOI
		last := -1
		for k, p := range sos[:len(sos)-1] {
			if ns := int(data[p+4]); data[p+5+2*ns] == 0 { // Ss = 0
				last = k
			}
		}
		cut := sos[last+1]
		got, _, err := Decode(data[:cut], 0)
		if err != nil || !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("%s cut at %d of %d: err %v", name, cut, len(data), err)
		}
		p := sos[last]
		inside := p + 2 + int(data[p+2])<<8 + int(data[p+3]) + 5
		if _, _, err := Decode(data[:inside], 0); err == nil {
			t.Errorf("%s cut inside the last DC scan: no error", name)
		}
	}
}

func TestCorrupted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range testdataFiles(t) {
		orig := readTestdata(t, name)
		for range 200 {
			data := bytes.Clone(orig)
			for range 1 + r.IntN(4) {
				data[r.IntN(len(data))] = byte(r.Uint32())
			}
			img, cfg, err := Decode(data, 1<<22)
			if err == nil && (img.Rect.Dx() != (cfg.Width+7)/8 || img.Rect.Dy() != (cfg.Height+7)/8) {
				t.Fatalf("%s: image %v for config %+v", name, img.Rect, cfg)
			}
		}
	}
}

func TestDecoderReuse(t *testing.T) {
	d := NewDecoder()
	var dst *image.Gray
	for round := 0; round < 2; round++ {
		for _, name := range testdataFiles(t) {
			data := readTestdata(t, name)
			want, _, err := Decode(data, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := d.Decode(data, dst)
			if err != nil {
				t.Fatal(err)
			}
			if got.Rect != want.Rect || !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("%s: reused decoder differs", name)
			}
			dst = got
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range testdataFiles(f) {
		f.Add(readTestdata(f, name))
	}
	f.Add(encodeJPEG(f, synthColour(3, 40, 24, 3), 75))
	f.Add(hugeHeader())
	f.Fuzz(func(t *testing.T, data []byte) {
		img, cfg, err := Decode(data, 1<<22)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if img.Rect.Dx() != (cfg.Width+7)/8 || img.Rect.Dy() != (cfg.Height+7)/8 {
			t.Fatalf("image %v for config %+v", img.Rect, cfg)
		}
		if c2, err := DecodeConfig(data); err != nil || c2 != cfg {
			t.Fatalf("DecodeConfig %+v, %v; Decode %+v", c2, err, cfg)
		}
	})
}
